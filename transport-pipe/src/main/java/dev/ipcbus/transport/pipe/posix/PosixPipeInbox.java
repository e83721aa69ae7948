package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.pipe.core.PipeInboxCounters;
import dev.ipcbus.transport.pipe.core.RecordAssembler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * A node's POSIX pipe inbox: a Unix domain stream socket listening at a path in the runtime directory (mode 0600 in a
 * 0700 directory), and one receive thread that serves every writer connection through a {@link Selector}, so that
 * {@link FrameListener} calls are serialized and each connection's frames arrive in order. In each selector round,
 * new connections are accepted first and ready connections are read oldest first.
 * <p>
 * Each connection has its own {@link RecordAssembler}: a connection that sends garbage (a bad hello, a length beyond
 * the maximum, a bad status byte) is reported once to the error handler and dropped; a connection that ends
 * mid-frame (its writer died) has that partial frame discarded. Neither affects the other connections.
 * <p>
 * At creation, a socket file already at the path is probed: if something accepts a connection there it is a live
 * listener (another process squatting on this node's name) and creation fails with a clear error; if the connection
 * is refused the file is stale and is replaced. {@link #close()} removes the socket file.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixPipeInbox implements Inbox {
    /** Listen backlog: writers connect without waiting for the receive thread. */
    static final int BACKLOG = 256;
    /** Starting size of each connection's receive buffer. */
    static final int INITIAL_BUFFER = 64 * 1024;
    /** Reads per connection per selector wake-up, at most. */
    static final int READS_PER_WAKEUP = 4;
    private static final long JOIN_MILLIS = 5_000;
    private static final Comparator<Connection> BY_AGE = Comparator.comparingLong(c -> c.sequence);

    private final long nodeId;
    private final Path path;
    private final int maxFrameLength;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final PipeInboxCounters counters;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final FrameListener guardedListener = this::deliver;
    private final Runnable onClose;
    private volatile boolean closed;
    /** Connections accepted so far; receive thread only. */
    private long acceptedSoFar;

    private PosixPipeInbox(
        final long nodeId,
        final Path path,
        final int maxFrameLength,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final ServerSocketChannel server,
        final Selector selector,
        final Runnable onClose) {
        this.nodeId = nodeId;
        this.path = path;
        this.maxFrameLength = maxFrameLength;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.counters = new PipeInboxCounters();
        this.server = server;
        this.selector = selector;
        this.onClose = onClose;
        this.thread = new Thread(this::run, "ipcbus-pipe-inbox-" + NodeIds.format(nodeId));
        thread.setDaemon(true);
    }

    /**
     * Binds the inbox socket and starts the receive thread.
     *
     * @param nodeId         the owning node.
     * @param path           the socket path (see {@link PosixSocketPaths}).
     * @param maxFrameLength the largest frame accepted.
     * @param listener       receives every frame.
     * @param errorHandler   receives transport-level garbage reports and receive errors.
     * @param onClose        run once when the inbox closes.
     * @return the open inbox, already delivering.
     * @throws BusException if the path is held by a live listener or something that is not a socket, or the OS
     *                      refuses.
     */
    public static PosixPipeInbox open(
        final long nodeId,
        final Path path,
        final int maxFrameLength,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final Runnable onClose) {
        final Path directory = path.getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            RuntimeDirectory.ensurePrivate(directory);
        }
        removeIfStale(path);
        ServerSocketChannel server = null;
        Selector selector = null;
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
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            final PosixPipeInbox inbox = new PosixPipeInbox(nodeId, path, maxFrameLength, listener, errorHandler,
                server, selector, onClose);
            inbox.thread.start();
            return inbox;
        } catch (final IOException ex) {
            closeQuietly(selector);
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
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                errorHandler.onError(new BusException("pipe inbox receive thread did not stop (listener blocked?): "
                    + "node=" + NodeIds.format(nodeId) + ", path=" + path));
            }
        }
        closeQuietly(server);
        deleteQuietly(path);
        onClose.run();
    }

    private void run() {
        final List<Connection> connections = new ArrayList<>();
        try {
            final List<Connection> ready = new ArrayList<>();
            while (!closed) {
                selector.select();
                boolean accept = false;
                for (final SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept = true;
                    } else if (key.isReadable()) {
                        ready.add((Connection) key.attachment());
                    }
                }
                selector.selectedKeys().clear();
                if (accept) {
                    accept(connections);
                }
                if (ready.size() > 1) {
                    // Oldest connection first: bytes that were sent earlier on an older connection are delivered
                    // before a newer connection's, whatever order the selector reports them in.
                    ready.sort(BY_AGE);
                }
                for (final Connection connection : ready) {
                    if (closed) {
                        break;
                    }
                    if (!connection.readOnce()) {
                        connection.close();
                        connections.remove(connection);
                    }
                }
                ready.clear();
            }
        } catch (final IOException | RuntimeException ex) {
            if (!closed) {
                errorHandler.onError(new BusException("pipe inbox receive thread failed: node="
                    + NodeIds.format(nodeId) + ", path=" + path + ", cause=" + ex, ex));
            }
        } finally {
            for (final Connection connection : connections) {
                connection.close();
            }
            closeQuietly(selector);
        }
    }

    private void accept(final List<Connection> connections) throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            final Connection connection = new Connection(channel, new RecordAssembler(nodeId, maxFrameLength,
                INITIAL_BUFFER, ByteBufAllocator.DEFAULT, counters), acceptedSoFar++);
            channel.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
            counters.onConnectionAccepted();
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

    /** One writer connection, owned by the receive thread. */
    private final class Connection {
        private final SocketChannel channel;
        private final RecordAssembler assembler;
        private final long sequence;
        private boolean open = true;

        Connection(final SocketChannel channel, final RecordAssembler assembler, final long sequence) {
            this.channel = channel;
            this.assembler = assembler;
            this.sequence = sequence;
        }

        /**
         * Reads and delivers what completed; reads again (up to {@link #READS_PER_WAKEUP} times) only while a read
         * filled all the space it was given, so a connection with little data costs one read per wake-up and a busy
         * one cannot starve the others. False when the connection is finished.
         */
        boolean readOnce() {
            for (int reads = 0; reads < READS_PER_WAKEUP; reads++) {
                final int count;
                final int space;
                try {
                    final ByteBuffer target = assembler.writableBuffer();
                    space = target.remaining();
                    count = channel.read(target);
                } catch (final IOException ex) {
                    return endOfStream();
                }
                if (count < 0) {
                    return endOfStream();
                }
                if (count > 0) {
                    assembler.onBytesRead(count);
                    if (assembler.deliver(guardedListener) == RecordAssembler.MALFORMED) {
                        counters.onMalformedConnection();
                        errorHandler.onError(new FrameFormatException("pipe connection sent garbage, dropped: reason="
                            + assembler.malformedReason() + ", inbox=" + NodeIds.format(nodeId) + ", path=" + path));
                        return false;
                    }
                }
                if (count < space || closed) {
                    return true;
                }
            }
            return true;
        }

        private boolean endOfStream() {
            if (assembler.hasPartialRecord()) {
                // The writer died or gave up mid-frame: the frame is incomplete and is never delivered.
                counters.onPartialFrameDiscarded();
            }
            return false;
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            counters.onConnectionClosed();
            closeQuietly(channel);
            assembler.close();
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
