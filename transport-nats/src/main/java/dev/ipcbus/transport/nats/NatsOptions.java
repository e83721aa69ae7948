// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.spi.EngineContext;
import dev.ipcbus.spi.TransportOptions;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The options of {@code nats://[host:port[,host:port...]/]busName?options} and the jnats {@link Options} they make.
 * <pre>
 *   servers          the URI's servers part; none: 127.0.0.1:4222
 *   subjectPrefix    prefix of every subject (default: the bus name)
 *   user, password   user/password authentication (both or neither)
 *   token            token authentication
 *   credentials      path of a .creds file (JWT + NKey seed)
 *   tls              true: TLS with the JVM's default trust store (default false)
 *   connectTimeout   per connection attempt (default 2s)
 *   reconnectWait    between reconnection attempts to one server (default 2s)
 *   maxReconnects    attempts before the connection closes for good; -1 forever (default 60)
 *   reconnectBuffer  bytes of publishes buffered while disconnected; past it publish throws (default 8MiB)
 * </pre>
 * <b>Thread safety:</b> immutable once read.
 */
final class NatsOptions {
    static final String DEFAULT_SERVER = "127.0.0.1:4222";
    private static final Pattern SERVER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):([0-9]{1,5})");

    final List<String> servers;
    final String subjectPrefix;
    final boolean tls;
    final String user;
    final String password;
    final String token;
    final String credentials;
    final Duration connectTimeout;
    final Duration reconnectWait;
    final int maxReconnects;
    final long reconnectBuffer;

    private NatsOptions(final EngineContext context) {
        final TransportOptions options = context.options();
        this.tls = Boolean.parseBoolean(options.string("tls", "false", "true", "false"));
        this.servers = servers(context.servers(), tls);
        this.subjectPrefix = options.string("subjectPrefix", context.busName());
        this.user = options.string("user", null);
        this.password = options.string("password", null);
        this.token = options.string("token", null);
        this.credentials = options.string("credentials", null);
        this.connectTimeout = options.duration("connectTimeout", Duration.ofSeconds(2));
        this.reconnectWait = options.duration("reconnectWait", Duration.ofSeconds(2));
        this.maxReconnects = integer("maxReconnects", options.string("maxReconnects", "60"));
        this.reconnectBuffer = options.size("reconnectBuffer", 8L << 20);
        if ((user == null) != (password == null)) {
            throw new ConfigurationException("nats:// needs both user and password, or neither");
        }
        final int methods = (user != null ? 1 : 0) + (token != null ? 1 : 0) + (credentials != null ? 1 : 0);
        if (methods > 1) {
            throw new ConfigurationException("nats:// takes one authentication method: user+password, token or"
                + " credentials");
        }
        if (credentials != null && !Files.isReadable(Path.of(credentials))) {
            throw new ConfigurationException("nats credentials file not readable: credentials=" + credentials);
        }
    }

    /**
     * @param context the node's context.
     * @return the options, validated.
     * @throws ConfigurationException naming the bad server or option.
     */
    static NatsOptions from(final EngineContext context) {
        return new NatsOptions(context);
    }

    private static List<String> servers(final String text, final boolean tls) {
        final List<String> urls = new ArrayList<>();
        for (final String server : (text.isEmpty() ? DEFAULT_SERVER : text).split(",", -1)) {
            final String trimmed = server.trim();
            final var matcher = SERVER.matcher(trimmed);
            if (!matcher.matches() || Integer.parseInt(matcher.group(2)) == 0
                || Integer.parseInt(matcher.group(2)) > 65535) {
                throw new ConfigurationException("bad NATS server (expected host:port, comma-separated): server="
                    + server + ", servers=" + text);
            }
            urls.add((tls ? "tls://" : "nats://") + trimmed);
        }
        return List.copyOf(urls);
    }

    private static int integer(final String name, final String raw) {
        try {
            final int value = Integer.parseInt(raw.trim());
            if (value < -1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (final NumberFormatException ex) {
            throw new ConfigurationException("bad option value (an integer, -1 for no limit): option=" + name
                + ", value=" + raw);
        }
    }

    /**
     * @param connectionName the name the server shows for this connection.
     * @return a jnats options builder with everything above set.
     */
    Options.Builder builder(final String connectionName) {
        final Options.Builder builder = new Options.Builder()
            .servers(servers.toArray(new String[0]))
            .connectionName(connectionName)
            .connectionTimeout(connectTimeout)
            .reconnectWait(reconnectWait)
            .maxReconnects(maxReconnects)
            .reconnectBufferSize(reconnectBuffer)
            .reportNoResponders();
        if (user != null) {
            builder.userInfo(user, password);
        }
        if (token != null) {
            builder.token(token.toCharArray());
        }
        if (credentials != null) {
            builder.authHandler(Nats.credentials(credentials));
        }
        if (tls) {
            try {
                builder.secure();
            } catch (final NoSuchAlgorithmException ex) {
                throw new ConfigurationException("TLS unavailable in this JVM: " + ex.getMessage(), ex);
            }
        }
        return builder;
    }
}
