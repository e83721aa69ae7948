// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import io.netty.buffer.ByteBuf;

/**
 * Receives published messages as bytes, with no codec on the path.
 */
@FunctionalInterface
public interface RawMessageHandler {
    /**
     * Handles one message.
     * <p>
     * <b>Ownership:</b> {@code payload} is valid only until {@code onMessage} returns: the transport reuses the
     * memory (a ring slot, a receive buffer), so copy the bytes to keep them.
     *
     * @param payload the payload bytes (reader index to writer index).
     * @param context its metadata; see {@link MessageContext} for how long it is valid.
     * @throws Exception anything; reported to the {@link ErrorHandler}.
     */
    void onMessage(ByteBuf payload, MessageContext context) throws Exception;
}
