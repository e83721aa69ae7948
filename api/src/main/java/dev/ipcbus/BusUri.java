// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed bus URI: {@code scheme://[servers/]busName?option=value&...}, e.g.
 * {@code filemap://shop?capacity=8MiB&idle=spin} or {@code nats://10.0.0.1:4222,10.0.0.2:4222/shop}.
 * <p>
 * The scheme picks the transport; the servers (only for a transport whose engine runs elsewhere, such as NATS: a
 * comma-separated list of {@code host:port}) say where to connect; the bus name ({@code [A-Za-z0-9_.-]}, 1 to 64
 * characters, not {@code .} or {@code ..}) names the bus every node of one application opens; the options configure
 * the core ({@code publishTimeout}, {@code timestamps}) and the transport.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class BusUri {
    private static final Pattern URI =
        Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(?:([^?/#]*)/)?([^?/#]*)/?(?:\\?([^#]*))?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String scheme;
    private final String servers;
    private final String busName;
    private final Map<String, String> options;

    private BusUri(final String scheme, final String servers, final String busName, final Map<String, String> options) {
        this.scheme = scheme;
        this.servers = servers;
        this.busName = busName;
        this.options = options;
    }

    /**
     * @param text the URI.
     * @return the parsed URI.
     * @throws ConfigurationException if the text is not {@code scheme://[servers/]name[?options]}, the name is
     *                                invalid, or an option is malformed or repeated.
     */
    public static BusUri parse(final String text) {
        Objects.requireNonNull(text, "uri");
        final Matcher matcher = URI.matcher(text.trim());
        if (!matcher.matches()) {
            throw new ConfigurationException("malformed bus URI (expected scheme://[servers/]name?option=value): uri="
                + text);
        }
        String servers = matcher.group(2) == null ? "" : matcher.group(2);
        String name = matcher.group(3);
        if (name.isEmpty() && !servers.isEmpty()) { // "scheme://name/": a trailing slash, no servers
            name = servers;
            servers = "";
        }
        if (!NAME.matcher(name).matches() || ".".equals(name) || "..".equals(name)) {
            throw new ConfigurationException("bad bus name (1-64 of A-Z a-z 0-9 _ . -): uri=" + text
                + ", name=" + name);
        }
        final Map<String, String> options = new LinkedHashMap<>();
        final String query = matcher.group(4);
        if (query != null && !query.isEmpty()) {
            for (final String pair : query.split("&", -1)) {
                final int equals = pair.indexOf('=');
                if (equals <= 0 || equals == pair.length() - 1) {
                    throw new ConfigurationException("malformed option (expected name=value): uri=" + text
                        + ", option=" + pair);
                }
                final String key = URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8);
                final String value = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (options.put(key, value) != null) {
                    throw new ConfigurationException("option given twice: uri=" + text + ", option=" + key);
                }
            }
        }
        return new BusUri(matcher.group(1).toLowerCase(java.util.Locale.ROOT), servers, name,
            Collections.unmodifiableMap(options));
    }

    /**
     * @return the transport scheme, lower case.
     */
    public String scheme() {
        return scheme;
    }

    /**
     * @return the servers part as written (e.g. {@code "h1:4222,h2:4222"}), or {@code ""} if the URI has none; only
     * engine-routed transports accept one.
     */
    public String servers() {
        return servers;
    }

    /**
     * @return the bus name.
     */
    public String busName() {
        return busName;
    }

    /**
     * @return the options in the order given; unmodifiable.
     */
    public Map<String, String> options() {
        return options;
    }

    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder(scheme).append("://");
        if (!servers.isEmpty()) {
            text.append(servers).append('/');
        }
        text.append(busName);
        char separator = '?';
        for (final Map.Entry<String, String> option : options.entrySet()) {
            text.append(separator).append(option.getKey()).append('=').append(option.getValue());
            separator = '&';
        }
        return text.toString();
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof BusUri && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
