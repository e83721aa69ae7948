// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.MessageContext;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.spi.NodeIds;

import java.util.Map;

/**
 * The {@link MessageContext} handed to handlers: reused for every message on the receive thread
 * ({@link #reset}), or an immutable copy.
 * <p>
 * <b>Thread safety:</b> not thread-safe while reused; copies are immutable.
 */
final class ReceivedContext implements MessageContext {
    private String topic;
    private long sender;
    private long timestampNanos;
    private long correlationId;
    private Map<String, String> headers;
    /** The frame while reused on the receive thread (fields read from it on demand); {@code null} in a copy. */
    private FrameFlyweight frame;

    void reset(final String topic, final FrameFlyweight frame) {
        this.topic = topic;
        this.frame = frame;
        this.headers = null;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String senderNode() {
        return NodeIds.format(sender());
    }

    long sender() {
        return frame != null ? frame.sender() : sender;
    }

    @Override
    public long timestampNanos() {
        return frame != null ? frame.timestamp() : timestampNanos;
    }

    @Override
    public long correlationId() {
        return frame != null ? frame.correlationId() : correlationId;
    }

    @Override
    public Map<String, String> headers() {
        if (headers == null) {
            // decoded on first use, while the frame is still valid
            headers = frame.headersLength() == 0 ? Map.of() : frame.headers();
        }
        return headers;
    }

    @Override
    public MessageContext copy() {
        final ReceivedContext copy = new ReceivedContext();
        copy.topic = topic;
        copy.sender = sender();
        copy.timestampNanos = timestampNanos();
        copy.correlationId = correlationId();
        copy.headers = headers();
        return copy;
    }

    @Override
    public String toString() {
        return "MessageContext{topic=" + topic + ", sender=" + senderNode() + ", correlationId=" + correlationId()
            + "}";
    }
}
