// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.spi.EngineMessage;
import io.nats.client.Message;
import io.nats.client.impl.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a bus message travels as a NATS message (the wire format of {@code nats://}, specified in docs/NATS.md): the
 * body is the payload as is (a typed message's plain JSON), the application's headers are NATS headers, and the bus's
 * own metadata are NATS headers too, each sent only when it says something the receiver cannot assume:
 * <pre>
 *   Ipcbus-Sender     the sending node's id, 16 lower-case hex digits   (absent: a foreign client)
 *   Ipcbus-Timestamp  sending time, decimal nanoseconds since the epoch (absent or unparsable: 0)
 *   Content-Type      application/octet-stream (raw) only               (absent or other: JSON)
 *   Ipcbus-Error-Type on a reply only: the responder's exception class       (present: the request failed)
 *   Ipcbus-Error      on a failed reply: the exception's message, one line   (absent: no message)
 * </pre>
 * A successful reply carries no bus metadata at all (the requester reads only its body), so a JSON reply without
 * application headers is a plain NATS message without headers; so is any message with nothing above to say.
 * Header names starting with {@code Ipcbus-} and {@code Content-Type} are reserved; an application header must be a
 * NATS header name (printable ASCII, no {@code :}) with a one-line value. A value that is not printable ASCII (or
 * that looks encoded) travels as one RFC 2047 encoded word, {@code =?UTF-8?B?<base64 of its UTF-8>?=}, and is
 * decoded on receipt. A header a foreign client sent several
 * times is read as its first value; the reserved names are matched ignoring case.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class NatsWire {
    static final String SENDER = "Ipcbus-Sender";
    static final String TIMESTAMP = "Ipcbus-Timestamp";
    static final String CONTENT_TYPE = "Content-Type";
    static final String ERROR_TYPE = "Ipcbus-Error-Type";
    static final String ERROR = "Ipcbus-Error";
    static final String JSON = "application/json";
    static final String RAW = "application/octet-stream";

    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?(?i:UTF-8)\\?[Bb]\\?([A-Za-z0-9+/=]*)\\?=");

    private NatsWire() {
    }

    /**
     * @param message a message or request to send.
     * @return its NATS headers, or {@code null} if it needs none.
     * @throws IllegalArgumentException if an application header is reserved or not valid in NATS.
     */
    static Headers headers(final EngineMessage message) {
        if (message.headers().isEmpty() && message.senderNode().isEmpty() && message.timestampNanos() == 0
            && message.json() && !message.isFailure()) {
            return null;
        }
        final Headers headers = new Headers();
        for (final Map.Entry<String, String> header : message.headers().entrySet()) {
            final String name = header.getKey();
            final String value = header.getValue();
            if (!HEADER_NAME.matcher(name).matches() || isReserved(name)) {
                throw new IllegalArgumentException("header name not allowed on nats:// (printable ASCII without ':';"
                    + " 'Ipcbus-*' and 'Content-Type' are reserved): header=" + name);
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header value must be one line on nats://: header=" + name);
            }
            headers.put(name, encodeValue(value));
        }
        if (!message.senderNode().isEmpty()) {
            headers.put(SENDER, message.senderNode());
        }
        if (message.timestampNanos() != 0) {
            headers.put(TIMESTAMP, Long.toString(message.timestampNanos()));
        }
        if (!message.json()) {
            headers.put(CONTENT_TYPE, RAW);
        }
        if (message.isFailure()) {
            headers.put(ERROR_TYPE, oneLine(message.errorType()));
            if (message.errorMessage() != null) {
                headers.put(ERROR, oneLine(message.errorMessage()));
            }
        }
        return headers;
    }

    /**
     * The headers of one node's own messages in the common case, built once: a message of this node with no
     * application headers, no timestamp and no failure carries {@code Ipcbus-Sender} (and {@code Content-Type} if raw)
     * only, always the same lines. jnats sends a read-only {@link Headers} as is, where it copies any other per
     * message, and serializes the lines from its maps per message either way; so the common case builds, validates
     * and copies nothing. What goes on the wire is what {@link #headers(EngineMessage)} would build.
     * <p>
     * <b>Thread safety:</b> immutable (the {@link Headers} are read-only and never written after construction).
     */
    static final class Own {
        private final String sender;
        private final Headers json;
        private final Headers raw;

        /**
         * @param sender this node's id.
         */
        Own(final String sender) {
            this.sender = sender;
            this.json = new Headers(new Headers().put(SENDER, sender), true);
            this.raw = new Headers(new Headers().put(SENDER, sender).put(CONTENT_TYPE, RAW), true);
        }

        /**
         * @param message a message or request to send.
         * @return its NATS headers, as {@link #headers(EngineMessage)}: the cached ones when they fit.
         * @throws IllegalArgumentException if an application header is reserved or not valid in NATS.
         */
        Headers of(final EngineMessage message) {
            if (message.headers().isEmpty() && message.timestampNanos() == 0 && !message.isFailure()
                && sender.equals(message.senderNode())) {
                return message.json() ? json : raw;
            }
            return headers(message);
        }
    }

    /**
     * @param reply a reply to send.
     * @return its NATS headers, or {@code null} for a successful JSON reply without application headers: its sender
     * and sending time are of no use to the requester, who reads only the body.
     * @throws IllegalArgumentException if an application header is reserved or not valid in NATS.
     */
    static Headers replyHeaders(final EngineMessage reply) {
        if (!reply.isFailure() && reply.json() && reply.headers().isEmpty()) {
            return null;
        }
        return headers(reply);
    }

    /**
     * @param topic   the message's topic (its subject without the bus prefix).
     * @param message a received NATS message.
     * @return the bus's view of it.
     */
    static EngineMessage message(final String topic, final Message message) {
        final byte[] body = message.getData() == null ? new byte[0] : message.getData();
        final Headers headers = message.getHeaders();
        if (headers == null || headers.isEmpty()) {
            return EngineMessage.of(topic, "", 0, true, Map.of(), body);
        }
        final EngineMessage exact = exactMetadataOnly(topic, headers, body);
        if (exact != null) {
            return exact;
        }
        // one pass over the headers: the reserved ones by name ignoring case, the rest for the application
        String sender = null;
        String timestamp = null;
        String type = null;
        String errorType = null;
        String error = null;
        Map<String, String> application = null;
        for (final Map.Entry<String, List<String>> header : headers.entrySet()) {
            final String name = header.getKey();
            final List<String> values = header.getValue();
            final String value = values == null || values.isEmpty() ? null : values.get(0);
            if (SENDER.equalsIgnoreCase(name)) {
                sender = value;
            } else if (TIMESTAMP.equalsIgnoreCase(name)) {
                timestamp = value;
            } else if (CONTENT_TYPE.equalsIgnoreCase(name)) {
                type = value;
            } else if (ERROR_TYPE.equalsIgnoreCase(name)) {
                errorType = value;
            } else if (ERROR.equalsIgnoreCase(name)) {
                error = value;
            } else if (!isReserved(name) && value != null) {
                if (application == null) {
                    application = new LinkedHashMap<>();
                }
                application.putIfAbsent(name, decodeValue(value));
            }
        }
        return new EngineMessage(topic, sender == null ? "" : sender, timestamp(timestamp),
            !RAW.equalsIgnoreCase(type), application == null ? Map.of() : Collections.unmodifiableMap(application),
            body, errorType, error);
    }

    /**
     * The common case, cheaply: headers that are only the bus's own metadata, spelt as this class sends them (a few
     * exact lookups instead of a pass comparing every name ignoring case).
     *
     * @return the message, or {@code null} if some header is not one of those (the caller then makes the full pass).
     */
    private static EngineMessage exactMetadataOnly(final String topic, final Headers headers, final byte[] body) {
        final String sender = headers.getFirst(SENDER);
        final String timestamp = headers.getFirst(TIMESTAMP);
        final String type = headers.getFirst(CONTENT_TYPE);
        final int found = (sender == null ? 0 : 1) + (timestamp == null ? 0 : 1) + (type == null ? 0 : 1);
        if (found != headers.size()) {
            return null;
        }
        return EngineMessage.of(topic, sender == null ? "" : sender, timestamp(timestamp), !RAW.equalsIgnoreCase(type),
            Map.of(), body);
    }

    /** Printable ASCII other than an encoded word's start is sent as is; anything else as one encoded word. */
    static String encodeValue(final String value) {
        boolean plain = !value.startsWith("=?");
        for (int i = 0; plain && i < value.length(); i++) {
            final char c = value.charAt(i);
            plain = c >= 0x20 && c < 0x7F;
        }
        return plain ? value : "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
            + "?=";
    }

    static String decodeValue(final String value) {
        final Matcher word = ENCODED_WORD.matcher(value);
        if (!word.matches()) {
            return value;
        }
        try {
            return new String(Base64.getDecoder().decode(word.group(1)), StandardCharsets.UTF_8);
        } catch (final IllegalArgumentException notBase64) {
            return value;
        }
    }

    private static boolean isReserved(final String name) {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith("ipcbus-") || lower.equals("content-type");
    }

    private static long timestamp(final String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (final NumberFormatException ex) {
            return 0;
        }
    }

    private static String oneLine(final String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
