// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.FrameWriter;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outlet logic both OS layers share: one {@link PipeConnection} per target node, opened on demand, kept and reused;
 * a lock around each frame write keeps frames whole and in order; liveness is polled while waiting; a broken
 * connection is reopened at once if the node is still alive, else the offer returns {@link #PEER_GONE}.
 * <p>
 * Status mapping: the connection's own {@link PipeConnection#write} result, except that a broken connection to a
 * node the registry still calls alive is reconnected once and the frame written again (a broken stream never
 * delivered the frame: its commit byte or message was not written), and a connect that fails with
 * {@link PipeConnectException} returns that exception's status (a gone inbox is not retried here: the core owns that
 * policy). Other connect failures go to the error handler and return {@link #PEER_GONE}.
 * <p>
 * A thread waiting for the lock counts that wait against its timeout (plus {@link #LOCK_GRACE_NANOS}, so that a
 * zero-timeout offer is not refused merely because another thread is in the middle of a fast write).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; frames offered by one thread arrive in the order offered.
 */
public final class PipeOutlet implements Outlet {
    /** Extra time a thread may wait for the outlet's lock beyond its own timeout: 2 ms. */
    public static final long LOCK_GRACE_NANOS = 2_000_000L;

    private final long nodeId;
    private final String address;
    private final int maxFrameLength;
    private final PipeConnector connector;
    private final NodeLiveness liveness;
    private final ErrorHandler errorHandler;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitCheck waitCheck = this::checkWhileWaiting;
    private volatile boolean closed;
    private volatile PipeConnection connection;

    /**
     * @param nodeId         the target node.
     * @param address        the target inbox's address, for messages.
     * @param maxFrameLength the largest frame accepted.
     * @param connector      opens connections to the target.
     * @param liveness       the registry's liveness view.
     * @param errorHandler   where unexpected connect failures are reported.
     * @param onClose        run once when the outlet closes (the transport forgets it), may be a no-op.
     */
    public PipeOutlet(
        final long nodeId,
        final String address,
        final int maxFrameLength,
        final PipeConnector connector,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler,
        final Runnable onClose) {
        this.nodeId = nodeId;
        this.address = address;
        this.maxFrameLength = maxFrameLength;
        this.connector = connector;
        this.liveness = liveness;
        this.errorHandler = errorHandler;
        this.onClose = onClose;
    }

    /**
     * Opens the connection now, so that {@link dev.ipcbus.spi.Transport#openOutlet} fails fast for an unreachable
     * inbox.
     *
     * @param deadlineNanos when to give up if the inbox is busy.
     * @throws BusException if the inbox cannot be reached ({@link PipeConnectException} for the expected cases).
     */
    public void connectNow(final long deadlineNanos) {
        lock.lock();
        try {
            if (connection == null && !closed) {
                connection = connector.connect(deadlineNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return the target node.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int offer(final ByteBuf frame, final long timeoutNanos) {
        return offer(frame, null, frame.readableBytes(), timeoutNanos);
    }

    /**
     * @return whether the current connection encodes frames in place (POSIX); {@code false} before the first
     * connection, after a broken one, and on Windows.
     */
    @Override
    public boolean writesInPlace() {
        final PipeConnection current = connection;
        return current != null && current.writesInPlace();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int offer(final FrameWriter writer, final int frameLength, final long timeoutNanos) {
        return offer(null, writer, frameLength, timeoutNanos);
    }

    /** Writes {@code frame}, or, if it is {@code null}, what {@code writer} encodes. */
    private int offer(final ByteBuf frame, final FrameWriter writer, final int length, final long timeoutNanos) {
        if (length > maxFrameLength) {
            throw new IllegalArgumentException("frame larger than the pipe's maximum: length=" + length
                + ", maxFrameLength=" + maxFrameLength + ", node=" + NodeIds.format(nodeId));
        }
        if (closed) {
            return CLOSED;
        }
        final long timeout = Math.max(0, timeoutNanos);
        final long deadline = System.nanoTime() + timeout;
        try {
            // Uncontended fast path first: the timed tryLock checks for interruption on every call.
            if (!lock.tryLock() && !lock.tryLock(timeout + LOCK_GRACE_NANOS, TimeUnit.NANOSECONDS)) {
                return closed ? CLOSED : BACK_PRESSURED;
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return closed ? CLOSED : BACK_PRESSURED;
        }
        try {
            for (int attempt = 0; ; attempt++) {
                if (closed) {
                    return CLOSED;
                }
                PipeConnection current = connection;
                if (current == null) {
                    if (!liveness.isAlive(nodeId)) {
                        return PEER_GONE;
                    }
                    try {
                        current = connector.connect(deadline);
                    } catch (final PipeConnectException ex) {
                        return ex.status();
                    } catch (final BusException ex) {
                        errorHandler.onError(ex);
                        return PEER_GONE;
                    }
                    connection = current;
                    if (closed) {
                        return CLOSED;
                    }
                }
                final int status = frame != null
                    ? current.write(frame, deadline, waitCheck)
                    : current.write(writer, length, deadline, waitCheck);
                if (status == PEER_GONE) {
                    connection = null;
                    current.close();
                    if (attempt == 0 && !closed && liveness.isAlive(nodeId)) {
                        continue;
                    }
                }
                return status;
            }
        } finally {
            lock.unlock();
            // Pairs with close(): whichever of the two sees the other's step last closes the connection.
            if (closed) {
                closeIfUnlocked();
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final PipeConnection current = connection;
        if (current != null) {
            current.wakeup();
        }
        // A thread inside offer closes the connection on its way out; otherwise close it here.
        closeIfUnlocked();
        onClose.run();
    }

    /**
     * @return {@code true} once {@link #close()} was called.
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "PipeOutlet{node=" + NodeIds.format(nodeId) + ", address=" + address + "}";
    }

    private void closeIfUnlocked() {
        if (lock.tryLock()) {
            try {
                closeConnection();
            } finally {
                lock.unlock();
            }
        }
    }

    private void closeConnection() {
        final PipeConnection current = connection;
        connection = null;
        if (current != null) {
            current.close();
        }
    }

    private int checkWhileWaiting() {
        if (closed) {
            return CLOSED;
        }
        // Never called with a lock that reclaim needs: only this outlet's own lock is held here.
        return liveness.isAlive(nodeId) ? WaitCheck.CONTINUE : PEER_GONE;
    }
}
