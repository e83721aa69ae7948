// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import io.netty.buffer.ByteBuf;

/**
 * Receives the frames an {@link Inbox} reads.
 * <p>
 * <b>Thread safety:</b> the inbox calls it from its receive thread(s), never concurrently: calls are serialized and
 * frames from one writer arrive in the order they were offered.
 */
@FunctionalInterface
public interface FrameListener {
    /**
     * Handles one frame.
     * <p>
     * <b>Ownership:</b> borrows {@code frame} (readable bytes are exactly one frame); valid only until this method
     * returns: the transport reuses the memory (a ring slot, a receive buffer), so copy the bytes to keep them;
     * retaining the buffer keeps the memory, not the bytes.
     *
     * @param frame the frame's bytes.
     */
    void onFrame(ByteBuf frame);
}
