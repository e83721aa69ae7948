// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.pipe.core.PipeConnection;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.PipePlatform;
import dev.ipcbus.transport.pipe.core.RecordAssembler;
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
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * The POSIX pipe layer: an inbox is a Unix domain stream socket listening at a path in the runtime directory (mode
 * 0600 in a 0700 directory); frames travel as length-prefixed records ({@link RecordAssembler}), each connection
 * opened by a {@link PosixPipeConnection}.
 * <p>
 * <b>Why stream sockets with length prefixes and not {@code SOCK_SEQPACKET}:</b> JDK stream channels were measured as
 * fast as {@code SOCK_SEQPACKET} through JNA (the kernel wake-up dominates either way, see {@code docs/PIPE.md}); they
 * need no native code, work on macOS (which has no {@code SOCK_SEQPACKET} for {@code AF_UNIX}), and do not cap a frame
 * at the socket send buffer ({@code EMSGSIZE}).
 * <p>
 * At creation, a socket file already at the path is probed: if something accepts a connection there it is a live
 * listener (another process squatting on this node's name) and creation fails with a clear error; if the connection
 * is refused the file is stale and is replaced. Closing the server removes the socket file. {@link #reclaim} removes a
 * dead node's socket file, found from its node id (also for a node that died before it was listed), and only a socket
 * file whose name belongs to that node.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixPipePlatform implements PipePlatform {
    /** Listen backlog: writers connect without waiting for the accept thread. */
    static final int BACKLOG = 256;
    /** Starting size of each connection's receive buffer. */
    static final int INITIAL_BUFFER = 64 * 1024;
    /** Pause before accepting again after a failed accept (other than the socket closing). */
    private static final long ACCEPT_RETRY_MILLIS = 100;
    /** Longest single wait of a reader for its hello's bytes, so that a closing inbox is noticed. */
    private static final long POLL_MILLIS = 100;

    private final Path runtimeDirectory;
    private final String busName;
    private final Path fallbackDirectory;
    private final int maxPathBytes;
    private final ByteBufAllocator allocator;
    private final ErrorHandler errorHandler;

    /**
     * @param runtimeDirectory  this bus's runtime directory.
     * @param busName           the bus name.
     * @param errorHandler      receives accept failures.
     */
    public PosixPipePlatform(final Path runtimeDirectory, final String busName, final ErrorHandler errorHandler) {
        this(runtimeDirectory, busName, PosixSocketPaths.defaultFallbackDirectory(), PosixSocketPaths.maxPathBytes(),
            ByteBufAllocator.DEFAULT, errorHandler);
    }

    /**
     * @param runtimeDirectory  this bus's runtime directory.
     * @param busName           the bus name.
     * @param fallbackDirectory where sockets go when the runtime directory is too deep for {@code sun_path}.
     * @param maxPathBytes      the {@code sun_path} limit without the NUL (tests lower it).
     * @param allocator         where the connections' receive buffers come from (tests inject failures).
     * @param errorHandler      receives accept failures.
     */
    public PosixPipePlatform(final Path runtimeDirectory, final String busName, final Path fallbackDirectory,
        final int maxPathBytes, final ByteBufAllocator allocator, final ErrorHandler errorHandler) {
        this.runtimeDirectory = runtimeDirectory;
        this.busName = busName;
        this.fallbackDirectory = fallbackDirectory;
        this.maxPathBytes = maxPathBytes;
        this.allocator = allocator;
        this.errorHandler = errorHandler;
    }

    /**
     * Whether this layer can run here: the JDK opens an {@code AF_UNIX} socket. Not cached:
     * {@link dev.ipcbus.spi.TransportProbe} caches it.
     *
     * @return why it cannot, or {@code null}.
     */
    public static Throwable unavailabilityCause() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.isOpen() ? null : new IOException("AF_UNIX socket did not open");
        } catch (final IOException | UnsupportedOperationException ex) {
            return new UnsupportedOperationException("AF_UNIX sockets unavailable: " + ex, ex);
        }
    }

    @Override
    public String name() {
        return "posix";
    }

    /**
     * {@inheritDoc}
     * <p>
     * Binds the socket at the node's path ({@link PosixSocketPaths#socketPath}), replacing a stale socket file.
     */
    @Override
    public Server listen(final long nodeId, final int maxFrameLength) {
        final Path path = PosixSocketPaths.socketPath(runtimeDirectory, busName, nodeId, fallbackDirectory,
            maxPathBytes);
        final Path directory = path.getParent();
        if (!directory.equals(runtimeDirectory.toAbsolutePath()) || !Files.isDirectory(directory)) {
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
            return new SocketServer(server, path, nodeId, maxFrameLength);
        } catch (final IOException ex) {
            closeQuietly(server);
            if (bound) {
                deleteQuietly(path);
            }
            throw new BusException("cannot create pipe inbox socket: path=" + path + ", node="
                + NodeIds.format(nodeId) + ", cause=" + ex, ex);
        }
    }

    @Override
    public PipeConnection connect(final long nodeId, final String address, final int maxFrameLength,
        final long deadlineNanos) {
        return PosixPipeConnection.open(parseAddress(address), nodeId);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Removes the socket file at the path this layer gives the node ({@link PosixSocketPaths#socketPath}: derived
     * from the runtime directory, the bus name and the node id), and at {@code address} if that names a socket file of
     * this node; only sockets are removed.
     */
    @Override
    public void reclaim(final long nodeId, final String address) {
        try {
            removeSocket(PosixSocketPaths.socketPath(runtimeDirectory, busName, nodeId, fallbackDirectory,
                maxPathBytes));
        } catch (final ConfigurationException ex) {
            // no path fits sun_path here: this layer never created a socket for the node
        }
        if (address == null) {
            return;
        }
        final Path path;
        try {
            path = Paths.get(address);
        } catch (final InvalidPathException ex) {
            return;
        }
        if (path.isAbsolute() && PosixSocketPaths.isSocketNameOf(path, nodeId)) {
            removeSocket(path); // otherwise not an address this layer gave that node: never delete it
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

    private static void removeSocket(final Path path) {
        try {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (attributes.isOther()) {
                Files.deleteIfExists(path);
            }
        } catch (final IOException ex) {
            // already gone, or not ours to remove
        }
    }

    private static Path parseAddress(final String address) {
        try {
            final Path path = Paths.get(address);
            if (path.isAbsolute()) {
                return path;
            }
        } catch (final InvalidPathException ex) {
            // reported below
        }
        throw new BusException("not a pipe socket address: address=" + address);
    }

    /** A listening socket; closing it removes the socket file. */
    private final class SocketServer implements Server {
        private final ServerSocketChannel channel;
        private final Path path;
        private final long nodeId;
        private final int maxFrameLength;
        private volatile boolean stopped;

        SocketServer(final ServerSocketChannel channel, final Path path, final long nodeId, final int maxFrameLength) {
            this.channel = channel;
            this.path = path;
            this.nodeId = nodeId;
            this.maxFrameLength = maxFrameLength;
        }

        @Override
        public String address() {
            return path.toString();
        }

        /**
         * {@inheritDoc}
         * <p>
         * A failed accept other than the socket closing (say, out of file descriptors) is reported and followed by a
         * short pause.
         */
        @Override
        public ServerConnection accept() throws InterruptedException {
            try {
                return new SocketConnection(channel.accept(), maxFrameLength);
            } catch (final ClosedChannelException ex) {
                return null; // stop()
            } catch (final IOException ex) {
                if (!stopped) {
                    errorHandler.onError(new BusException("pipe inbox cannot accept a connection, retrying in "
                        + ACCEPT_RETRY_MILLIS + " ms: node=" + NodeIds.format(nodeId) + ", path=" + path
                        + ", cause=" + ex, ex));
                    Thread.sleep(ACCEPT_RETRY_MILLIS);
                }
                return null;
            }
        }

        /** Closes the socket, which ends a blocking accept. */
        @Override
        public void stop() {
            stopped = true;
            closeQuietly(channel);
        }

        @Override
        public void close() {
            stop();
            deleteQuietly(path);
        }
    }

    /**
     * One writer's stream: its hello read with a bound, then records reassembled by a {@link RecordAssembler}, which
     * exists only once the hello arrived and is confined to the reader thread. A frame beyond the inbox's maximum is
     * skipped and counted and the connection kept; garbage (a bad hello, a length beyond what any writer sends, a bad
     * status byte) drops the connection; a connection that ends mid-frame (its writer died) has that partial frame
     * discarded.
     */
    private final class SocketConnection implements ServerConnection {
        private final SocketChannel channel;
        private final int maxFrameLength;
        private final ByteBuffer hello = ByteBuffer.allocate(PipeHelloDescriptor.LENGTH);

        SocketConnection(final SocketChannel channel, final int maxFrameLength) {
            this.channel = channel;
            this.maxFrameLength = maxFrameLength;
        }

        /**
         * Reads exactly the hello's bytes (no more: the records after it stay in the socket), waiting at most until
         * the deadline; a selector of this connection's own waits when the first non-blocking read does not have it.
         */
        @Override
        public boolean awaitHello(final long deadlineNanos, final Reader reader) throws IOException {
            channel.configureBlocking(false);
            Selector selector = null;
            try {
                while (true) {
                    final int count;
                    try {
                        count = channel.read(hello);
                    } catch (final IOException ex) {
                        return false; // reset by the writer, or closed by close()
                    }
                    if (count < 0 || reader.isClosed()) {
                        return false;
                    }
                    if (!hello.hasRemaining()) {
                        hello.flip();
                        return true;
                    }
                    final long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        reader.helloTimedOut(hello.position());
                        return false;
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

        /**
         * Reads until the connection ends, delivering what completes after each read under the delivery lock. A
         * blocking read returns as soon as any bytes are there, so a quiet connection costs one read per wake-up.
         */
        @Override
        public void read(final Reader reader) {
            try (RecordAssembler assembler = new RecordAssembler(reader.nodeId(), maxFrameLength, INITIAL_BUFFER,
                allocator, reader.counters())) {
                assembler.writableBuffer().put(hello);
                assembler.onBytesRead(PipeHelloDescriptor.LENGTH);
                // Bound once: a bound method reference evaluated in the loop is a new object per read.
                final PipePlatform.Batch batch = assembler::deliver;
                boolean oversizeReported = false;
                int count = PipeHelloDescriptor.LENGTH;
                while (!reader.isClosed()) {
                    if (count > 0 && reader.deliver(batch) == RecordAssembler.MALFORMED) {
                        reader.malformed(assembler.malformedReason());
                        return;
                    }
                    if (!oversizeReported && assembler.oversizeFramesDropped() > 0) {
                        oversizeReported = true;
                        reader.oversizeFrameDropped(assembler.firstOversizeLength());
                    }
                    try {
                        count = channel.read(assembler.writableBuffer());
                    } catch (final IOException ex) {
                        count = -1; // reset by the writer, or closed by close()
                    }
                    if (count < 0) {
                        if (assembler.hasPartialRecord() && !reader.isClosed()) {
                            // The writer died or gave up mid-frame: the frame is incomplete and is never delivered.
                            reader.counters().onPartialFrameDiscarded();
                        }
                        return;
                    }
                    assembler.onBytesRead(count);
                }
            }
        }

        @Override
        public void cancel() {
            closeQuietly(channel);
        }

        @Override
        public void close() {
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
