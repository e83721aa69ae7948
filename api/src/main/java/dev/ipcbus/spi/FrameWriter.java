// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Writes one frame whose length is known in advance straight into a transport's own memory (a shared-memory ring, a
 * socket's send buffer), so that the frame is encoded once and never copied: see
 * {@link Outlet#offer(FrameWriter, int, long)}.
 * <p>
 * <b>Thread safety:</b> an outlet calls the writer on the offering thread, possibly more than once per offer (each
 * call must write the same bytes); the writer may be reused for the next offer once the offer returns.
 */
@FunctionalInterface
public interface FrameWriter {
    /**
     * Writes exactly the frame length given to {@code offer} at {@code index}, with absolute-index methods only
     * ({@code setXxx}); neither index of {@code buffer} may be moved, and nothing outside
     * {@code [index, index + frameLength)} may be touched.
     *
     * @param buffer where the frame goes; shared with other threads writing their own frames elsewhere in it.
     * @param index  the frame's first byte.
     */
    void writeFrame(ByteBuf buffer, int index);

    /**
     * Encodes the frame into a new heap buffer: the fallback for a transport that cannot write it in place.
     *
     * @param frameLength the frame's exact length.
     * @return a buffer whose readable bytes are the frame.
     */
    default ByteBuf writeToNewBuffer(final int frameLength) {
        final ByteBuf frame = Unpooled.buffer(frameLength, frameLength);
        writeFrame(frame, 0);
        return frame.writerIndex(frameLength);
    }
}
