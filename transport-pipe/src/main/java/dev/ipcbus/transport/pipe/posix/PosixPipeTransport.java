package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.Closeables;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.transport.pipe.core.PipeOutlet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipe transport on POSIX: each inbox is a {@link PosixPipeInbox} (a Unix domain stream socket in the runtime
 * directory), each outlet a {@link PipeOutlet} over {@link PosixPipeConnection}s.
 * <p>
 * <b>Why stream sockets with length prefixes and not {@code SOCK_SEQPACKET}:</b> measured on this project's Linux
 * VMs (cross-process ping-pong, see {@code docs/PIPE.md}), JDK stream channels were as fast as or faster than
 * {@code SOCK_SEQPACKET} through JNA direct mapping (p50 42-44 us against 50-51 us), because the kernel wake-up
 * dominates either way. Streams also let one {@link java.nio.channels.Selector} thread serve every writer with no
 * native code, work on macOS (which has no {@code SOCK_SEQPACKET} for {@code AF_UNIX}), and do not cap a frame at
 * the socket send buffer ({@code EMSGSIZE}). The price, record framing with a commit byte and per-connection
 * reassembly, lives in the platform-neutral core.
 * <p>
 * {@link #reclaim} removes a dead node's socket file, found from its node id (also for a node that died before it
 * was listed), and only a socket file whose name belongs to that node.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixPipeTransport implements Transport {
    private final TransportContext context;
    private final PipeOptions options;
    private final Path fallbackDirectory;
    private final int maxPathBytes;
    private final Set<PosixPipeInbox> inboxes = ConcurrentHashMap.newKeySet();
    private final Set<PipeOutlet> outlets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param context the bus's transport context.
     * @param options the parsed pipe options.
     */
    public PosixPipeTransport(final TransportContext context, final PipeOptions options) {
        this(context, options, PosixSocketPaths.defaultFallbackDirectory(), PosixSocketPaths.maxPathBytes());
    }

    /**
     * @param context           the bus's transport context.
     * @param options           the parsed pipe options.
     * @param fallbackDirectory where sockets go when the runtime directory is too deep for {@code sun_path}.
     * @param maxPathBytes      the {@code sun_path} limit without the NUL (tests lower it).
     */
    public PosixPipeTransport(
        final TransportContext context,
        final PipeOptions options,
        final Path fallbackDirectory,
        final int maxPathBytes) {
        this.context = context;
        this.options = options;
        this.fallbackDirectory = fallbackDirectory;
        this.maxPathBytes = maxPathBytes;
    }

    @Override
    public String scheme() {
        return PipeOptions.SCHEME;
    }

    @Override
    public int maxFrameLength() {
        return options.maxFrameLength();
    }

    /**
     * @return {@code "maxFrameLength"}.
     */
    @Override
    public String frameLimitOption() {
        return PipeOptions.MAX_FRAME_LENGTH;
    }

    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        checkOpen();
        final Path path = PosixSocketPaths.socketPath(context.runtimeDirectory(), context.busName(), nodeId,
            fallbackDirectory, maxPathBytes);
        if (!path.getParent().equals(context.runtimeDirectory().toAbsolutePath())) {
            RuntimeDirectory.ensurePrivate(path.getParent());
        }
        final PosixPipeInbox[] holder = new PosixPipeInbox[1];
        final PosixPipeInbox inbox = PosixPipeInbox.open(nodeId, path, options.maxFrameLength(),
            options.helloTimeout().toNanos(), listener,
            context.errorHandler(), () -> inboxes.remove(holder[0]));
        holder[0] = inbox;
        inboxes.add(inbox);
        if (closed) {
            inbox.close();
            checkOpen();
        }
        return inbox;
    }

    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        final Path path = parseAddress(address);
        final PipeOutlet[] holder = new PipeOutlet[1];
        final PipeOutlet outlet = new PipeOutlet(nodeId, address, options.maxFrameLength(),
            deadline -> PosixPipeConnection.open(path, nodeId), context.liveness(), context.errorHandler(),
            () -> outlets.remove(holder[0]));
        holder[0] = outlet;
        outlet.connectNow(System.nanoTime() + options.connectTimeout().toNanos());
        outlets.add(outlet);
        if (closed) {
            outlet.close();
            checkOpen();
        }
        return outlet;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Removes the socket file at the path this transport gives the node ({@link PosixSocketPaths#socketPath}: derived
     * from the runtime directory, the bus name and the node id), and at {@code address} if that names a socket file of
     * this node; only sockets are removed.
     */
    @Override
    public void reclaim(final long nodeId, final String address) {
        try {
            removeSocket(PosixSocketPaths.socketPath(context.runtimeDirectory(), context.busName(), nodeId,
                fallbackDirectory, maxPathBytes));
        } catch (final ConfigurationException ex) {
            // no path fits sun_path here: this transport never created a socket for the node
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
            removeSocket(path); // otherwise not an address this transport gave that node: never delete it
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

    @Override
    public Map<String, Long> inboxCounters(final long nodeId, final String address) {
        for (final PosixPipeInbox inbox : inboxes) {
            if (inbox.nodeId() == nodeId) {
                return inbox.counters().snapshot();
            }
        }
        return Map.of();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final List<AutoCloseable> all = new ArrayList<>(outlets);
        all.addAll(inboxes);
        Closeables.closeAll("the pipe transport: bus=" + context.busName(), all);
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

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("pipe transport closed: bus=" + context.busName());
        }
    }

    @Override
    public String toString() {
        return "PosixPipeTransport{bus=" + context.busName() + ", nodes=" + inboxes.size() + "}";
    }
}
