// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.FrameWriter;
import io.netty.buffer.ByteBuf;

/**
 * One writer connection to one inbox, as an OS layer implements it: it writes whole frames and keeps message
 * boundaries (length-prefixed records on a stream socket, one message per frame on a message-mode pipe).
 * <p>
 * <b>Thread safety:</b> not thread-safe; {@link PipeOutlet} calls {@link #write} under its lock. {@link #wakeup()}
 * may be called from any thread.
 */
public interface PipeConnection extends AutoCloseable {
    /** The longest a connection waits for space before calling its {@link WaitCheck} again: 20 ms. */
    long WAIT_SLICE_NANOS = 20_000_000L;

    /**
     * Writes one frame, waiting for space until {@code deadlineNanos} ({@link System#nanoTime()} based) and calling
     * {@code check} at least every {@link #WAIT_SLICE_NANOS} while it waits.
     * <p>
     * <b>Ownership:</b> borrows {@code frame}; its indexes are left unchanged.
     *
     * @param frame         the frame.
     * @param deadlineNanos when to give up waiting for space.
     * @param check         asked while waiting whether to stop.
     * @return {@link dev.ipcbus.spi.Outlet#SENT}; {@link dev.ipcbus.spi.Outlet#BACK_PRESSURED} if the deadline
     * passed (the frame will not be delivered); {@link dev.ipcbus.spi.Outlet#PEER_GONE} if the connection broke (the
     * connection is then unusable); or the status {@code check} returned to stop the wait.
     */
    int write(ByteBuf frame, long deadlineNanos, WaitCheck check);

    /**
     * @return whether {@link #write(FrameWriter, int, long, WaitCheck)} encodes the frame straight into the
     * connection's own send buffer (otherwise it goes through a temporary buffer).
     */
    default boolean writesInPlace() {
        return false;
    }

    /**
     * Writes one frame that {@code writer} encodes, with the waiting and results of
     * {@link #write(ByteBuf, long, WaitCheck)}. If the writer throws, nothing of the frame was written and the
     * exception propagates. This default encodes into a new buffer; connections that can encode in place override it
     * together with {@link #writesInPlace()}.
     *
     * @param writer        encodes exactly {@code frameLength} bytes.
     * @param frameLength   the frame's length.
     * @param deadlineNanos when to give up waiting for space.
     * @param check         asked while waiting whether to stop.
     * @return as {@link #write(ByteBuf, long, WaitCheck)}.
     */
    default int write(final FrameWriter writer, final int frameLength, final long deadlineNanos,
        final WaitCheck check) {
        return write(writer.writeToNewBuffer(frameLength), deadlineNanos, check);
    }

    /**
     * Makes a thread waiting in {@link #write} call its {@link WaitCheck} now. Safe from any thread.
     */
    void wakeup();

    /**
     * Closes the connection; the inbox discards a frame cut off by it. Idempotent.
     */
    @Override
    void close();
}
