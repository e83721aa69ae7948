// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.spi.NodeIds;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A node's pipe inbox, the same on every OS: a {@link PipePlatform.Server}, an accept thread, and one reader thread
 * per writer connection that blocks in the OS read.
 * <p>
 * <b>Why a thread per connection:</b> the connections are the nodes writing to this one (tens on one machine), so the
 * threads are few; a blocking read is woken by the connection itself and costs one system call per wake-up, where a
 * selector (POSIX) adds its own wait and bookkeeping to every wake-up, and overlapped reads (Windows) need native
 * buffers and {@code OVERLAPPED}s that outlive each call and one event per instance. Connections that have not sent
 * their hello hold at most {@link PipeInboxGuard#MAX_PENDING_HELLOS} threads at once, and each is closed (counted and
 * reported) if its hello does not arrive within the hello timeout: the accept thread takes a new connection only once
 * a hello slot is free.
 * <p>
 * Deliveries take one lock, so {@link FrameListener} calls are serialized; each connection's thread delivers that
 * connection's frames in order. A listener exception goes to the error handler. A reader that fails with anything
 * ({@link Throwable}: say, out of direct memory for a large frame's buffer) closes its connection and reports it, so
 * its writer's next write fails and the writer reconnects (or learns the node is gone) instead of filling a pipe nobody
 * reads; the accept thread likewise survives any failure to set up one connection.
 * <p>
 * {@link #close()} stops the server and cancels every connection's blocking read until its thread ends (at most
 * {@value #STOP_MILLIS} ms each, then reported). A listener may close the inbox from its own callback: it holds the
 * delivery lock the other readers may be waiting for, so they are stopped from a helper thread and {@code close()}
 * returns at once; the caller's own thread ends when the listener returns.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeInbox implements Inbox {
    /** How long {@link #close()} waits for each thread to end. */
    static final long STOP_MILLIS = 5_000;
    /** How long each cancel waits for the thread before cancelling again. */
    private static final long STOP_SLICE_MILLIS = 20;

    private final long nodeId;
    private final int maxFrameLength;
    private final PipePlatform.Server server;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final Runnable onClose;
    private final String description;
    private final PipeInboxCounters counters;
    private final PipeInboxGuard guard;
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private final FrameListener countingListener = this::deliverOne;
    /** Open connections; guarded by itself, together with {@link #closed} for additions. */
    private final Set<Connection> connections = new HashSet<>();
    private final Thread acceptThread;
    private volatile boolean closed;
    /** Connections accepted so far; accept thread only. */
    private long acceptedSoFar;

    private PipeInbox(final long nodeId, final int maxFrameLength, final long helloTimeoutNanos,
        final PipePlatform.Server server, final InboxCounters inboxCounters, final FrameListener listener,
        final ErrorHandler errorHandler, final Runnable onClose) {
        this.nodeId = nodeId;
        this.counters = new PipeInboxCounters(inboxCounters);
        this.maxFrameLength = maxFrameLength;
        this.server = server;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.onClose = onClose;
        this.description = "inbox=" + NodeIds.format(nodeId) + ", address=" + server.address();
        this.guard = new PipeInboxGuard(helloTimeoutNanos, maxFrameLength, counters, errorHandler, description);
        this.acceptThread = new Thread(this::acceptLoop, "ipcbus-pipe-accept-" + NodeIds.format(nodeId));
        acceptThread.setDaemon(true);
    }

    /**
     * Starts an inbox on a server the OS layer just created; it owns the server from now on.
     *
     * @param nodeId            the owning node.
     * @param maxFrameLength    the largest frame accepted.
     * @param helloTimeoutNanos how long a new connection may take to send its hello before it is closed.
     * @param server            the listening server.
     * @param inboxCounters     where the inbox counts, in its node's statistics file.
     * @param listener          receives every frame.
     * @param errorHandler      receives garbage reports and failures of the background threads.
     * @param onClose           run once when the inbox closes.
     * @return the inbox, already accepting.
     */
    public static PipeInbox start(final long nodeId, final int maxFrameLength, final long helloTimeoutNanos,
        final PipePlatform.Server server, final InboxCounters inboxCounters, final FrameListener listener,
        final ErrorHandler errorHandler, final Runnable onClose) {
        final PipeInbox inbox = new PipeInbox(nodeId, maxFrameLength, helloTimeoutNanos, server, inboxCounters,
            listener, errorHandler, onClose);
        try {
            inbox.acceptThread.start();
        } catch (final RuntimeException | Error ex) {
            server.close();
            throw ex;
        }
        return inbox;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String address() {
        return server.address();
    }

    /**
     * @return the largest frame this inbox accepts ({@code maxFrameLength}).
     */
    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return the owning node.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * @return this inbox's counters.
     */
    public PipeInboxCounters counters() {
        return counters;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close() {
        final List<Connection> open;
        synchronized (connections) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(connections);
        }
        final Thread current = Thread.currentThread();
        stop(acceptThread, server::stop, current); // the accept thread closes the server on its way out
        if (deliveryLock.isHeldByCurrentThread()) {
            // A listener closing the inbox holds the delivery lock the other readers may be waiting for: they can end
            // only once it is released, so another thread stops them and this one returns.
            open.forEach(Connection::cancel);
            final Thread stopper = new Thread(() -> open.forEach(connection -> stop(connection.thread,
                connection::cancel, current)), "ipcbus-pipe-close-" + NodeIds.format(nodeId));
            stopper.setDaemon(true);
            stopper.start();
        } else {
            open.forEach(connection -> stop(connection.thread, connection::cancel, current));
        }
        onClose.run();
    }

    /** Cancels the thread's blocking call until it ends, or reports it; the caller's own thread is cancelled once. */
    private void stop(final Thread thread, final Runnable cancel, final Thread current) {
        if (thread == current) {
            cancel.run();
            return;
        }
        final long deadline = System.nanoTime() + STOP_MILLIS * 1_000_000L;
        while (thread.isAlive() && System.nanoTime() - deadline < 0) {
            cancel.run();
            try {
                thread.join(STOP_SLICE_MILLIS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (thread.isAlive()) {
            errorHandler.onError(new BusException("pipe inbox thread did not stop (listener blocked?): thread="
                + thread.getName() + ", " + description));
        }
    }

    /** Takes connections until the inbox closes (see {@link PipeInboxGuard#serve}), then frees the server. */
    private void acceptLoop() {
        try {
            guard.serve(() -> closed, this::acceptOne);
        } finally {
            server.close();
        }
    }

    /**
     * Accepts one connection and starts its reader, which then owns the hello slot the caller took.
     *
     * @return whether the hello slot was handed on (see {@link PipeInboxGuard.ConnectionTaker}).
     */
    private boolean acceptOne() throws InterruptedException {
        final PipePlatform.ServerConnection accepted = server.accept();
        if (accepted == null) {
            return false;
        }
        Connection connection = null;
        boolean started = false;
        try {
            connection = new Connection(accepted, acceptedSoFar++);
            synchronized (connections) {
                if (closed) {
                    return false;
                }
                connections.add(connection);
            }
            counters.onConnectionAccepted();
            connection.thread.start();
            started = true;
        } finally {
            if (!started) {
                if (connection != null) {
                    synchronized (connections) {
                        if (connections.remove(connection)) {
                            counters.onConnectionClosed();
                        }
                    }
                }
                accepted.close();
            }
        }
        return true;
    }

    /**
     * The listener as the OS layers' batches call it: drops frames once the inbox closed (a listener may close it
     * mid-batch), counts the frame and reports a listener failure.
     */
    private void deliverOne(final ByteBuf frame) {
        if (closed) {
            return;
        }
        counters.onFrame(frame.readableBytes());
        try {
            listener.onFrame(frame);
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }

    /**
     * One writer connection and the thread that reads it: first its hello, within the hello timeout and holding one
     * of the {@link PipeInboxGuard hello slots}, then its frames.
     */
    private final class Connection implements PipePlatform.Reader {
        private final PipePlatform.ServerConnection os;
        private final Thread thread;
        /** Whether this connection still holds its hello slot; reader thread only once started. */
        private boolean holdsHelloSlot = true;
        /** Whether this connection's first oversize frame was reported; reader thread only. */
        private boolean oversizeReported;

        Connection(final PipePlatform.ServerConnection os, final long sequence) {
            this.os = os;
            this.thread = new Thread(this::run, "ipcbus-pipe-read-" + NodeIds.format(nodeId) + "-" + sequence);
            thread.setDaemon(true);
        }

        /**
         * Reads the hello, then frames until the connection ends. Whatever ends the thread, the connection is closed:
         * a failure is counted and reported, and the writer's next write fails, so it reconnects or learns that the
         * node is gone instead of filling a pipe nobody reads.
         */
        private void run() {
            try {
                if (!os.awaitHello(guard.helloDeadline(), this)) {
                    return; // the slot is given back once this thread has closed the connection
                }
                releaseHelloSlot();
                os.read(this);
            } catch (final Throwable ex) {
                os.close(); // first: the writer must not keep filling a pipe nobody reads
                if (!closed) {
                    guard.onReaderFailure(thread.getName(), ex);
                }
            } finally {
                synchronized (connections) {
                    connections.remove(this);
                }
                os.close();
                counters.onConnectionClosed();
                releaseHelloSlot();
            }
        }

        void cancel() {
            os.cancel();
        }

        private void releaseHelloSlot() {
            if (holdsHelloSlot) {
                holdsHelloSlot = false;
                guard.releaseHelloSlot();
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public long nodeId() {
            return nodeId;
        }

        @Override
        public int maxFrameLength() {
            return maxFrameLength;
        }

        @Override
        public PipeInboxCounters counters() {
            return counters;
        }

        @Override
        public int deliver(final PipePlatform.Batch batch) {
            deliveryLock.lock();
            try {
                return closed ? RecordAssembler.OK : batch.deliver(countingListener);
            } finally {
                deliveryLock.unlock();
            }
        }

        @Override
        public void malformed(final String reason) {
            counters.onMalformedConnection();
            errorHandler.onError(new FrameFormatException("pipe connection sent garbage, dropped: reason=" + reason
                + ", " + description));
        }

        @Override
        public void oversizeFrameDropped(final int frameLength) {
            if (!oversizeReported) {
                oversizeReported = true;
                guard.onFirstOversizeFrame(frameLength);
            }
        }

        @Override
        public void helloTimedOut(final int bytesReceived) {
            guard.onHelloTimeout(bytesReceived);
        }

        @Override
        public void osError(final RuntimeException failure) {
            if (!closed) {
                errorHandler.onError(failure);
            }
        }
    }
}
