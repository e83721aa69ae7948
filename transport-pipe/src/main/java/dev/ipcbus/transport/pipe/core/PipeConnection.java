package dev.ipcbus.transport.pipe.core;

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
     * Makes a thread waiting in {@link #write} call its {@link WaitCheck} now. Safe from any thread.
     */
    void wakeup();

    /**
     * Closes the connection; the inbox discards a frame cut off by it. Idempotent.
     */
    @Override
    void close();
}
