package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.PipeInboxCounters;
import dev.ipcbus.transport.pipe.core.PipeInboxGuard;
import dev.ipcbus.transport.pipe.core.RecordAssembler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A node's POSIX pipe inbox: a Unix domain stream socket listening at a path in the runtime directory (mode 0600 in a
 * 0700 directory), an accept thread, and one reader thread per writer connection that blocks in {@code read}.
 * Deliveries take one lock, so {@link FrameListener} calls are serialized; each connection's thread delivers that
 * connection's frames in order.
 * <p>
 * <b>Why a thread per connection and not a {@link java.nio.channels.Selector}:</b> a blocking read is woken by the
 * socket itself and costs one system call per wake-up; a selector adds an {@code epoll_wait} and its own bookkeeping
 * to every wake-up: the bus's 32-byte round trip measured 1.5-1.7x a raw blocking socket's with a selector and
 * 1.17x with blocking threads (docs/BENCHMARKS.md). The connections are the nodes writing to this one (tens on one
 * machine), so the threads are few; the Windows inbox is built the same way. Connections that have not sent their
 * hello hold at most {@link PipeInboxGuard#MAX_PENDING_HELLOS} threads at once, and each is closed (counted and
 * reported) if its hello does not arrive within the hello timeout: the accept thread takes a new connection only
 * once a hello slot is free.
 * <p>
 * A reader that fails with anything ({@link Throwable}: say, out of direct memory for a large frame's buffer) closes
 * its connection and reports it, so its writer's next write fails and the writer reconnects (or learns the node is
 * gone) instead of filling a socket nobody reads; the accept thread likewise survives any failure to set up one
 * connection.
 * <p>
 * Each connection has its own {@link RecordAssembler}: a frame beyond this inbox's maximum (a writer whose URI allows
 * larger frames) is skipped, counted and reported (the first per connection), and the connection is kept, so the
 * frames around it arrive; a connection that sends garbage (a bad hello, a length beyond what any writer sends, a
 * bad status byte) is reported once to the error handler and dropped; a connection that ends mid-frame (its writer
 * died) has that partial frame discarded. None of these affects the other connections.
 * <p>
 * At creation, a socket file already at the path is probed: if something accepts a connection there it is a live
 * listener (another process squatting on this node's name) and creation fails with a clear error; if the connection
 * is refused the file is stale and is replaced. {@link #close()} closes the socket and every connection (which ends
 * the threads' blocking calls), joins the threads (except the caller's own, when a listener closes the inbox) and
 * removes the socket file.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixPipeInbox implements Inbox {
    /** Listen backlog: writers connect without waiting for the accept thread. */
    static final int BACKLOG = 256;
    /** Starting size of each connection's receive buffer. */
    static final int INITIAL_BUFFER = 64 * 1024;
    private static final long JOIN_MILLIS = 5_000;
    /** Pause before accepting again after a failed accept (other than the socket closing). */
    private static final long ACCEPT_RETRY_MILLIS = 100;
    /** Longest single wait of a reader for its hello's bytes, so that a closing inbox is noticed. */
    private static final long POLL_MILLIS = 100;

    private final long nodeId;
    private final Path path;
    private final int maxFrameLength;
    private final ByteBufAllocator allocator;
    private final PipeInboxGuard guard;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final PipeInboxCounters counters;
    private final ServerSocketChannel server;
    private final Thread acceptThread;
    private final FrameListener guardedListener = this::deliver;
    private final ReentrantLock deliveryLock = new ReentrantLock();
    /** Open connections; guarded by itself, together with {@link #closed} for additions. */
    private final Set<Connection> connections = new HashSet<>();
    private final Runnable onClose;
    private volatile boolean closed;
    /** Connections accepted so far; accept thread only. */
    private long acceptedSoFar;

    private PosixPipeInbox(
        final long nodeId,
        final Path path,
        final int maxFrameLength,
        final long helloTimeoutNanos,
        final ByteBufAllocator allocator,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final ServerSocketChannel server,
        final Runnable onClose) {
        this.nodeId = nodeId;
        this.path = path;
        this.maxFrameLength = maxFrameLength;
        this.allocator = allocator;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.counters = new PipeInboxCounters();
        this.guard = new PipeInboxGuard(helloTimeoutNanos, maxFrameLength, counters, errorHandler,
            "inbox=" + NodeIds.format(nodeId) + ", path=" + path);
        this.server = server;
        this.onClose = onClose;
        this.acceptThread = new Thread(this::acceptLoop, "ipcbus-pipe-accept-" + NodeIds.format(nodeId));
        acceptThread.setDaemon(true);
    }

    /**
     * Binds the inbox socket and starts the receive thread.
     *
     * @param nodeId         the owning node.
     * @param path           the socket path (see {@link PosixSocketPaths}).
     * @param maxFrameLength    the largest frame accepted.
     * @param helloTimeoutNanos how long a new connection may take to send its hello before it is closed.
     * @param listener          receives every frame.
     * @param errorHandler      receives transport-level garbage reports and receive errors.
     * @param onClose           run once when the inbox closes.
     * @return the open inbox, already delivering.
     * @throws BusException if the path is held by a live listener or something that is not a socket, or the OS
     *                      refuses.
     */
    public static PosixPipeInbox open(
        final long nodeId,
        final Path path,
        final int maxFrameLength,
        final long helloTimeoutNanos,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final Runnable onClose) {
        return open(nodeId, path, maxFrameLength, helloTimeoutNanos, ByteBufAllocator.DEFAULT, listener,
            errorHandler, onClose);
    }

    /** {@link #open}, with the allocator of the connections' receive buffers (tests inject failures). */
    static PosixPipeInbox open(
        final long nodeId,
        final Path path,
        final int maxFrameLength,
        final long helloTimeoutNanos,
        final ByteBufAllocator allocator,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final Runnable onClose) {
        final Path directory = path.getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            RuntimeDirectory.ensurePrivate(directory);
        }
        removeIfStale(path);
        ServerSocketChannel server = null;
        boolean bound = false;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            bound = true;
            if (RuntimeDirectory.isPosix()) {
                // The directory is 0700 already; 0600 on the socket keeps it private even if it is moved or the
                // directory mode is loosened.
                Files.setPosixFilePermissions(path, EnumSet.copyOf(RuntimeDirectory.FILE_MODE));
            }
            final PosixPipeInbox inbox = new PosixPipeInbox(nodeId, path, maxFrameLength, helloTimeoutNanos,
                allocator, listener, errorHandler, server, onClose);
            inbox.acceptThread.start();
            return inbox;
        } catch (final IOException ex) {
            closeQuietly(server);
            if (bound) {
                deleteQuietly(path);
            }
            throw new BusException("cannot create pipe inbox socket: path=" + path + ", node="
                + NodeIds.format(nodeId) + ", cause=" + ex, ex);
        }
    }

    /**
     * Removes a stale socket file at {@code path}: one nobody accepts connections on. Never removes a socket a live
     * listener holds, nor anything that is not a socket.
     *
     * @param path the socket path.
     * @return {@code true} if a stale socket file was removed.
     * @throws BusException if a live listener holds the path, or the path is not a socket.
     */
    public static boolean removeIfStale(final Path path) {
        final BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (final IOException ex) {
            return false; // nothing there
        }
        if (!attributes.isOther()) {
            throw new BusException("pipe inbox path exists and is not a socket: path=" + path);
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new BusException("pipe inbox path is held by a live listener (another process is squatting on "
                + "this node's socket name): path=" + path);
        } catch (final ConnectException ex) {
            deleteQuietly(path);
            return true;
        } catch (final IOException ex) {
            if (String.valueOf(ex.getMessage()).contains("No such file")) {
                return false; // removed meanwhile
            }
            throw new BusException("cannot probe existing pipe inbox socket: path=" + path + ", cause=" + ex, ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String address() {
        return path.toString();
    }

    /**
     * @return the largest frame this inbox accepts ({@code maxFrameLength}).
     */
    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return the node owning this inbox.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * @return the socket path.
     */
    public Path path() {
        return path;
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
        closeQuietly(server); // ends the blocking accept
        for (final Connection connection : open) {
            connection.closeChannel(); // ends the blocking read
        }
        final Thread current = Thread.currentThread();
        join(acceptThread, current);
        if (!deliveryLock.isHeldByCurrentThread()) {
            // (A listener closing the inbox holds the delivery lock: the other readers may be waiting for it, and
            // they end as soon as it is released, since they find the inbox closed.)
            for (final Connection connection : open) {
                join(connection.thread, current);
            }
        }
        deleteQuietly(path);
        onClose.run();
    }

    private void join(final Thread thread, final Thread current) {
        if (thread == current) {
            return; // a listener closing the inbox: its own thread ends when the listener returns
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            errorHandler.onError(new BusException("pipe inbox thread did not stop (listener blocked?): thread="
                + thread.getName() + ", node=" + NodeIds.format(nodeId) + ", path=" + path));
        }
    }

    /**
     * Accepts connections until the inbox closes, each handed to its own reader thread (see
     * {@link PipeInboxGuard#serve}).
     */
    private void acceptLoop() {
        guard.serve(() -> closed, this::acceptOne);
    }

    /**
     * Accepts one connection and starts its reader; a failed accept other than the socket closing (say, out of file
     * descriptors) is reported and followed by a short pause.
     *
     * @return whether the hello slot was handed on (see {@link PipeInboxGuard.ConnectionTaker}).
     */
    private boolean acceptOne() throws InterruptedException {
        final SocketChannel channel;
        try {
            channel = server.accept();
        } catch (final ClosedChannelException ex) {
            return false; // close()
        } catch (final IOException ex) {
            if (!closed) {
                errorHandler.onError(new BusException("pipe inbox cannot accept a connection, retrying in "
                    + ACCEPT_RETRY_MILLIS + " ms: node=" + NodeIds.format(nodeId) + ", path=" + path
                    + ", cause=" + ex, ex));
                Thread.sleep(ACCEPT_RETRY_MILLIS);
            }
            return false;
        }
        start(channel);
        return true;
    }

    /** Starts the reader thread of a connection that holds a hello slot; on failure, closes it and frees the slot. */
    private void start(final SocketChannel channel) {
        Connection connection = null;
        boolean started = false;
        try {
            connection = new Connection(channel, acceptedSoFar++);
            synchronized (connections) {
                if (closed) {
                    return;
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
                guard.releaseHelloSlot();
                closeQuietly(channel);
            }
        }
    }

    private void deliver(final ByteBuf frame) {
        if (closed) {
            return;
        }
        try {
            listener.onFrame(frame);
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }

    /**
     * One writer connection and the thread that reads it: first its hello, within the hello timeout and holding one
     * of the {@link PipeInboxGuard hello slots}, then its records. The assembler (and its buffer) exists only once the
     * hello arrived, and is confined to the thread.
     */
    private final class Connection {
        private final SocketChannel channel;
        private final Thread thread;
        private RecordAssembler assembler;
        private boolean holdsHelloSlot = true;
        /** Whether this connection's first oversize frame was reported; reader thread only. */
        private boolean oversizeReported;

        Connection(final SocketChannel channel, final long sequence) {
            this.channel = channel;
            this.thread = new Thread(this::run, "ipcbus-pipe-read-" + NodeIds.format(nodeId) + "-" + sequence);
            thread.setDaemon(true);
        }

        /**
         * Reads the hello, then reads until the connection ends, delivering what completes after each read under the
         * delivery lock. A blocking read returns as soon as any bytes are there, so a quiet connection costs one read
         * per wake-up. Whatever ends the thread, the connection is closed: a failure (any {@link Throwable}, say out
         * of direct memory for a large frame's buffer) is counted and reported, and the writer's next write fails
         * ({@code EPIPE}), so it reconnects or learns that the node is gone instead of filling a socket nobody reads.
         */
        private void run() {
            try {
                final ByteBuffer hello = readHello();
                if (hello == null) {
                    return; // the slot is given back once this thread has closed the connection
                }
                releaseHelloSlot();
                assembler = new RecordAssembler(nodeId, maxFrameLength, INITIAL_BUFFER, allocator, counters);
                assembler.writableBuffer().put(hello);
                assembler.onBytesRead(PipeHelloDescriptor.LENGTH);
                if (!deliverCompleted()) {
                    malformed();
                    return;
                }
                while (!closed) {
                    final int count;
                    try {
                        count = channel.read(assembler.writableBuffer());
                    } catch (final IOException ex) {
                        endOfStream(); // reset by the writer, or closed by close()
                        return;
                    }
                    if (count < 0) {
                        endOfStream();
                        return;
                    }
                    assembler.onBytesRead(count);
                    if (count > 0 && !deliverCompleted()) {
                        malformed();
                        return;
                    }
                    if (!oversizeReported && assembler.oversizeFramesDropped() > 0) {
                        oversizeReported = true;
                        guard.onFirstOversizeFrame(assembler.firstOversizeLength());
                    }
                }
            } catch (final Throwable ex) {
                closeChannel(); // first: the writer must not keep filling a socket nobody reads
                if (!closed) {
                    guard.onReaderFailure(thread.getName(), ex);
                }
            } finally {
                synchronized (connections) {
                    connections.remove(this);
                }
                closeChannel();
                counters.onConnectionClosed();
                if (assembler != null) {
                    assembler.close();
                }
                releaseHelloSlot();
            }
        }

        /**
         * Reads exactly the hello's bytes (no more: the records after it stay in the socket), waiting at most the
         * hello timeout. A writer sends it as soon as it connects, so the first non-blocking read nearly always has
         * it; otherwise a selector of this connection's own waits for the rest.
         *
         * @return the hello's bytes, or {@code null} if the connection ended or timed out first (then counted).
         */
        private ByteBuffer readHello() throws IOException {
            final ByteBuffer hello = ByteBuffer.allocate(PipeHelloDescriptor.LENGTH);
            final long deadline = guard.helloDeadline();
            channel.configureBlocking(false);
            Selector selector = null;
            try {
                while (true) {
                    final int count;
                    try {
                        count = channel.read(hello);
                    } catch (final IOException ex) {
                        return null; // reset by the writer, or closed by close()
                    }
                    if (count < 0 || closed) {
                        return null;
                    }
                    if (!hello.hasRemaining()) {
                        return hello.flip();
                    }
                    final long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        guard.onHelloTimeout(hello.position());
                        return null;
                    }
                    if (selector == null) {
                        selector = Selector.open();
                        channel.register(selector, SelectionKey.OP_READ);
                    }
                    selector.select(Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining))));
                    selector.selectedKeys().clear();
                }
            } finally {
                if (selector != null) {
                    selector.close(); // deregisters the channel, so that it can block again
                }
                if (channel.isOpen()) {
                    channel.configureBlocking(true);
                }
            }
        }

        private void releaseHelloSlot() {
            if (holdsHelloSlot) {
                holdsHelloSlot = false;
                guard.releaseHelloSlot();
            }
        }

        private void malformed() {
            counters.onMalformedConnection();
            errorHandler.onError(new FrameFormatException("pipe connection sent garbage, dropped: reason="
                + assembler.malformedReason() + ", inbox=" + NodeIds.format(nodeId) + ", path=" + path));
        }

        /** @return false if the connection sent garbage. */
        private boolean deliverCompleted() {
            deliveryLock.lock();
            try {
                return closed || assembler.deliver(guardedListener) != RecordAssembler.MALFORMED;
            } finally {
                deliveryLock.unlock();
            }
        }

        private void endOfStream() {
            if (assembler.hasPartialRecord() && !closed) {
                // The writer died or gave up mid-frame: the frame is incomplete and is never delivered.
                counters.onPartialFrameDiscarded();
            }
        }

        void closeChannel() {
            closeQuietly(channel);
        }
    }

    private static void deleteQuietly(final Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (final IOException ignored) {
            // best effort; reclaim retries for a dead node
        }
    }

    private static void closeQuietly(final AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (final Exception ignored) {
                // closing anyway
            }
        }
    }
}
