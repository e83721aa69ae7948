// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import java.util.Map;
import java.util.Objects;

/**
 * One message as the core and an {@link EngineTransport} exchange it: the topic, what the core knows of its origin,
 * the application's headers and the body bytes. The transport maps these to its engine's own message (for NATS:
 * subject, headers, payload) and back; a message from a foreign client of the engine has no sender and no timestamp.
 *
 * @param topic          the topic (a concrete topic, never a pattern).
 * @param senderNode     the sending node's id (16 hex digits), or {@code ""} if the sender is not an ipcbus node.
 * @param timestampNanos when the sender created it, nanoseconds since the epoch; 0 if unknown.
 * @param json           {@code true} for a JSON body (typed messages; also assumed when the engine message says
 *                       nothing), {@code false} for raw bytes.
 * @param headers        the application's headers; unmodifiable, possibly empty.
 * @param body           the body; not copied: the creator hands it over.
 * @param errorType      for a reply only: the responder's exception type if it failed, else {@code null}.
 * @param errorMessage   for a failed reply: the exception's message, possibly {@code null}.
 */
public record EngineMessage(
    String topic,
    String senderNode,
    long timestampNanos,
    boolean json,
    Map<String, String> headers,
    byte[] body,
    String errorType,
    String errorMessage) {

    /**
     * Checks the components.
     */
    public EngineMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(senderNode, "senderNode");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /**
     * @param topic          the topic.
     * @param senderNode     the sender's node id.
     * @param timestampNanos the sending time, or 0.
     * @param json           whether the body is JSON.
     * @param headers        the headers.
     * @param body           the body.
     * @return a message that is not a failed reply.
     */
    public static EngineMessage of(
        final String topic,
        final String senderNode,
        final long timestampNanos,
        final boolean json,
        final Map<String, String> headers,
        final byte[] body) {
        return new EngineMessage(topic, senderNode, timestampNanos, json, headers, body, null, null);
    }

    /**
     * @return {@code true} if this is a reply saying that the responder failed.
     */
    public boolean isFailure() {
        return errorType != null;
    }
}
