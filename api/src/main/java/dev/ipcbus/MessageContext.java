// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import java.util.Map;

/**
 * The metadata of a received message: topic, sender node, timestamp, correlation id and headers.
 * <p>
 * <b>Ownership:</b> the instance passed to a handler running on the bus's receive thread is reused for the next
 * message: it is valid only until the handler returns; call {@link #copy()} to keep it. Handlers run on an
 * {@link java.util.concurrent.Executor} receive their own copy.
 */
public interface MessageContext {
    /**
     * @return the topic the message was published or requested on.
     */
    String topic();

    /**
     * @return the sending node's id (16 hex digits).
     */
    String senderNode();

    /**
     * @return when the sender created the message, in nanoseconds since the epoch (sender's clock), if the sender's
     * bus was opened with the URI option {@code timestamps=true}; 0 otherwise (the default).
     */
    long timestampNanos();

    /**
     * @return the request's correlation id, or 0 for a published message.
     */
    long correlationId();

    /**
     * @return the message's headers, possibly empty; unmodifiable.
     */
    Map<String, String> headers();

    /**
     * @return an immutable copy that stays valid after the handler returns.
     */
    MessageContext copy();
}
