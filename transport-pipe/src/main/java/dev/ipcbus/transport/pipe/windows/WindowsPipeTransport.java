package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.Closeables;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.transport.pipe.core.PipeOutlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipe transport on Windows: each inbox is a {@link WindowsPipeInbox} (a message-mode named pipe server), each
 * outlet a {@link PipeOutlet} over {@link WindowsPipeConnection}s. Every Win32 call goes through the given
 * {@link Win32}.
 * <p>
 * {@link #reclaim} has nothing to release: a named pipe disappears with its last handle, also when its process dies.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPipeTransport implements Transport {
    private final TransportContext context;
    private final PipeOptions options;
    private final Win32 api;
    private final Set<WindowsPipeInbox> inboxes = ConcurrentHashMap.newKeySet();
    private final Set<PipeOutlet> outlets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param context the bus's transport context.
     * @param options the parsed pipe options.
     * @param api     the Win32 calls.
     */
    public WindowsPipeTransport(final TransportContext context, final PipeOptions options, final Win32 api) {
        this.context = context;
        this.options = options;
        this.api = api;
    }

    /**
     * Creates the production transport, on JNA.
     *
     * @param context the bus's transport context.
     * @param options the parsed pipe options.
     * @return the transport.
     */
    public static Transport create(final TransportContext context, final PipeOptions options) {
        return new WindowsPipeTransport(context, options, WindowsPlatform.win32());
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
        final String name = WindowsPipeNames.inboxName(context.busName(), nodeId);
        final WindowsPipeInbox[] holder = new WindowsPipeInbox[1];
        final WindowsPipeInbox inbox = WindowsPipeInbox.open(api, nodeId, name, options.maxFrameLength(),
            options.helloTimeout().toNanos(), listener, context.errorHandler(), () -> inboxes.remove(holder[0]));
        holder[0] = inbox;
        inboxes.add(inbox);
        return inbox;
    }

    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        if (!WindowsPipeNames.isInboxNameOf(address, nodeId)) {
            throw new BusException("not a pipe inbox name of this node: address=" + address);
        }
        final PipeOutlet[] holder = new PipeOutlet[1];
        final PipeOutlet outlet = new PipeOutlet(nodeId, address, options.maxFrameLength(),
            deadline -> WindowsPipeConnection.open(api, address, nodeId, options.maxFrameLength(), deadline),
            context.liveness(), context.errorHandler(), () -> outlets.remove(holder[0]));
        holder[0] = outlet;
        outlet.connectNow(System.nanoTime() + options.connectTimeout().toNanos());
        outlets.add(outlet);
        return outlet;
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        // Nothing outlives a Windows process: its pipe instances closed with its handles.
    }

    @Override
    public Map<String, Long> inboxCounters(final long nodeId, final String address) {
        for (final WindowsPipeInbox inbox : inboxes) {
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

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("pipe transport closed: bus=" + context.busName());
        }
    }
}
