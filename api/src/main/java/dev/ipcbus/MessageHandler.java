// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * Receives published messages of one type.
 *
 * @param <T> the message type Jackson deserializes into.
 */
@FunctionalInterface
public interface MessageHandler<T> {
    /**
     * Handles one message. An exception thrown here goes to the bus's {@link ErrorHandler}; delivery continues.
     *
     * @param message the deserialized message.
     * @param context its metadata; see {@link MessageContext} for how long it is valid.
     * @throws Exception anything; reported, never propagated to the publisher.
     */
    void onMessage(T message, MessageContext context) throws Exception;
}
