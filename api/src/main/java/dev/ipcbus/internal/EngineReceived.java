// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.MessageContext;
import dev.ipcbus.spi.EngineMessage;

import java.util.Map;

/**
 * The context of a message received from an engine-routed transport; immutable, so {@link #copy()} is itself.
 *
 * @param message the message.
 */
record EngineReceived(EngineMessage message) implements MessageContext {
    /** The engine correlates requests and replies itself: the bus's correlation id is not used. */
    @Override
    public long correlationId() {
        return 0;
    }

    @Override
    public String topic() {
        return message.topic();
    }

    @Override
    public String senderNode() {
        return message.senderNode();
    }

    @Override
    public long timestampNanos() {
        return message.timestampNanos();
    }

    @Override
    public Map<String, String> headers() {
        return message.headers();
    }

    @Override
    public MessageContext copy() {
        return this;
    }
}
