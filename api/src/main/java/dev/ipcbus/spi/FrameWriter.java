// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Writes one frame straight into a transport's own memory (a shared-memory ring, a socket's send buffer), so that the
 * frame is encoded once and never copied: see {@link Outlet#offer(FrameWriter, int, long)}.
 * <p>
 * The outlet gives the writer room for at most a bound the caller chose. A frame whose length is known in advance (a
 * raw publish) is given exactly its length; one whose length is known only once encoded (a Jackson payload) is given
 * an estimate, writes what it needs and answers its real length, or {@link #DOES_NOT_FIT} when it needs more: the
 * outlet then delivers nothing and the caller encodes the frame elsewhere.
 * <p>
 * <b>Thread safety:</b> an outlet calls the writer on the offering thread, possibly more than once per offer (each
 * call must write the same bytes); the writer may be reused for the next offer once the offer returns.
 */
@FunctionalInterface
public interface FrameWriter {
    /** What {@link #writeFrame} answers when the frame needs more than the room it was given. */
    int DOES_NOT_FIT = -1;

    /**
     * Writes the frame at {@code index}, in at most {@code room} bytes, with absolute-index methods only
     * ({@code setXxx}); neither index of {@code buffer} may be moved, and nothing outside {@code [index, index + room)}
     * may be touched.
     *
     * @param buffer where the frame goes; shared with other threads writing their own frames elsewhere in it.
     * @param index  the frame's first byte.
     * @param room   the most bytes the frame may take.
     * @return the frame's length, from 1 to {@code room}; or {@link #DOES_NOT_FIT} if it needs more (what it wrote
     * is then discarded).
     */
    int writeFrame(ByteBuf buffer, int index, int room);

    /**
     * Encodes the frame into a new heap buffer: the fallback for a transport that cannot write it in place.
     *
     * @param room the most bytes the frame may take.
     * @return a buffer whose readable bytes are the frame, or {@code null} if it needs more than {@code room}.
     */
    default ByteBuf writeToNewBuffer(final int room) {
        final ByteBuf frame = Unpooled.buffer(room, room);
        final int length = writeFrame(frame, 0, room);
        return length == DOES_NOT_FIT ? null : frame.writerIndex(length);
    }
}
