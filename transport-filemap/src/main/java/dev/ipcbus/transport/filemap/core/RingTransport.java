package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.Closeables;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The filemap {@link Transport}, platform-neutral: each node's inbox is a segment (ring plus doorbell) from a
 * {@link SegmentStore}; outlets map the target's segment and append to its ring.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class RingTransport implements Transport {
    /** The URI scheme. */
    public static final String SCHEME = "filemap";
    /** Pause between attempts to open a gone or closed inbox whose node the registry still calls alive: 10 ms. */
    public static final long GONE_RETRY_MILLIS = 10;

    private final TransportContext context;
    private final SegmentStore store;
    private final RingSettings settings;
    private final Set<RingInbox> inboxes = ConcurrentHashMap.newKeySet();
    private final Set<RingOutlet> outlets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param context  bus name, liveness, error handler.
     * @param store    the OS layer's segments.
     * @param settings validated settings.
     */
    public RingTransport(final TransportContext context, final SegmentStore store, final RingSettings settings) {
        this.context = context;
        this.store = store;
        this.settings = settings;
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public int maxFrameLength() {
        return SegmentDescriptor.maxFrameLength(settings.capacity());
    }

    /**
     * @return {@code "capacity"}, with how it maps to the frame limit.
     */
    @Override
    public String frameLimitOption() {
        return "capacity (largest frame = capacity / 8)";
    }

    /**
     * @return the settings in force.
     */
    public RingSettings settings() {
        return settings;
    }

    /**
     * @return the segment store (OS layer) in use.
     */
    public SegmentStore store() {
        return store;
    }

    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        checkOpen();
        final MappedSegment segment = store.create(nodeId, SegmentDescriptor.segmentLength(settings.capacity()));
        final RingInbox[] self = new RingInbox[1];
        final RingInbox inbox;
        try {
            inbox = new RingInbox(nodeId, segment, settings, listener, context.errorHandler(),
                context.liveness()::isProcessAlive, () -> inboxes.remove(self[0]));
        } catch (final RuntimeException | Error failure) {
            segment.close();
            throw failure;
        }
        self[0] = inbox;
        inboxes.add(inbox);
        if (closed) {
            inbox.close();
            checkOpen();
        }
        return inbox;
    }

    /**
     * {@inheritDoc}
     * <p>
     * A segment that is gone, or whose reader has closed, while the registry still calls its node alive is retried
     * every {@link #GONE_RETRY_MILLIS} ms, for up to the open timeout: that window is real and short (the node is
     * closing: inbox closed, registry entry not yet removed; or another thread or process is reclaiming it, holding
     * its lock, so it looks alive until the reclaim ends; or the node is reopening its inbox). Once the registry says
     * dead, or at the timeout, the failure goes to the caller.
     *
     * @throws SegmentGoneException if the inbox is gone (or closed) and stays so.
     */
    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        final MappedSegment segment = openLive(nodeId, address);
        final RingOutlet[] self = new RingOutlet[1];
        final RingOutlet outlet;
        try {
            outlet = new RingOutlet(nodeId, segment, context.liveness(), settings.idleMode(), maxFrameLength(),
                () -> outlets.remove(self[0]));
        } catch (final RuntimeException | Error failure) {
            segment.close();
            throw failure;
        }
        self[0] = outlet;
        outlets.add(outlet);
        if (closed) {
            outlet.close();
            checkOpen();
        }
        return outlet;
    }

    private MappedSegment openLive(final long nodeId, final String address) {
        final long deadline = System.nanoTime() + settings.openTimeoutNanos();
        while (true) {
            SegmentGoneException gone;
            try {
                final MappedSegment segment = store.open(nodeId, address, settings.openTimeoutNanos());
                if (!SegmentHeader.isReaderClosed(segment.region())) {
                    return segment;
                }
                segment.close();
                gone = new SegmentGoneException("filemap inbox is closed (its node is closing): address=" + address
                    + ", node=" + NodeIds.format(nodeId));
            } catch (final SegmentGoneException ex) {
                gone = ex;
            }
            if (closed || System.nanoTime() - deadline >= 0 || !context.liveness().isAlive(nodeId)) {
                throw gone;
            }
            try {
                Thread.sleep(GONE_RETRY_MILLIS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw gone;
            }
        }
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        store.reclaim(nodeId, address);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Maps the segment for the duration of the call. An inbox that is gone yields an empty map.
     */
    @Override
    public Map<String, Long> inboxCounters(final long nodeId, final String address) {
        try (MappedSegment segment = store.open(nodeId, address, settings.openTimeoutNanos())) {
            return SegmentHeader.counters(segment.region());
        } catch (final SegmentGoneException ex) {
            return Map.of();
        }
    }

    @Override
    public void close() {
        closed = true;
        final List<AutoCloseable> all = new ArrayList<>(outlets);
        all.addAll(inboxes);
        Closeables.closeAll("the filemap transport: bus=" + context.busName(), all);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("filemap transport is closed: bus=" + context.busName());
        }
    }

    @Override
    public String toString() {
        return "RingTransport{bus=" + context.busName() + ", store=" + store.describe() + ", " + settings + "}";
    }

    /**
     * @param nodeId a node id.
     * @return its hex form, for names.
     */
    static String hex(final long nodeId) {
        return NodeIds.format(nodeId);
    }
}
