// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.AbstractTransport;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;

import java.util.Map;

/**
 * The filemap transport, platform-neutral: each node's inbox is a segment (ring plus doorbell) from a
 * {@link FilemapPlatform}; outlets map the target's segment and append to its ring.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class FilemapTransport extends AbstractTransport {
    /** The URI scheme. */
    public static final String SCHEME = "filemap";

    private final TransportContext context;
    private final FilemapPlatform platform;
    private final RingSettings settings;

    /**
     * @param context  bus name, liveness, error handler.
     * @param platform the OS layer's segments.
     * @param settings validated settings.
     */
    public FilemapTransport(final TransportContext context, final FilemapPlatform platform,
        final RingSettings settings) {
        super("filemap transport: bus=" + context.busName() + ", platform=" + platform.describe() + ", " + settings);
        this.context = context;
        this.platform = platform;
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

    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        checkOpen();
        final MappedSegment segment = platform.create(nodeId, SegmentDescriptor.segmentLength(settings.capacity()));
        final RingInbox[] self = new RingInbox[1];
        try {
            self[0] = new RingInbox(nodeId, segment, settings, listener, context.errorHandler(),
                context.liveness()::isProcessAlive, context.inboxCounters(nodeId), () -> forget(self[0]));
        } catch (final RuntimeException | Error failure) {
            segment.close();
            throw failure;
        }
        return registerInbox(self[0]);
    }

    /**
     * {@inheritDoc}
     *
     * @throws SegmentGoneException if the segment does not exist, or its reader has closed (its node is closing); not
     *                              retried here (the core retries a node the registry still calls alive).
     */
    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        final MappedSegment segment = platform.open(nodeId, address, settings.openTimeoutNanos());
        final RingOutlet[] self = new RingOutlet[1];
        try {
            if (SegmentHeader.isReaderClosed(segment.region())) {
                throw new SegmentGoneException("filemap inbox is closed (its node is closing): address=" + address
                    + ", node=" + NodeIds.format(nodeId));
            }
            self[0] = new RingOutlet(nodeId, segment, context.liveness(), settings.idleMode(), maxFrameLength(),
                () -> forget(self[0]));
        } catch (final RuntimeException | Error failure) {
            segment.close();
            throw failure;
        }
        return registerOutlet(self[0]);
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        platform.reclaim(nodeId, address);
    }

    /**
     * Reads the filemap-specific counters and positions a segment header keeps (backpressure waits, wake-ups,
     * skipped records...), of an inbox of any process, for diagnostics; the common inbox counters are in the node's
     * statistics file. Maps the segment for the duration of the call.
     *
     * @param nodeId  the node.
     * @param address its inbox address.
     * @return counter name to value; empty if the inbox is gone.
     */
    public Map<String, Long> segmentCounters(final long nodeId, final String address) {
        try (MappedSegment segment = platform.open(nodeId, address, settings.openTimeoutNanos())) {
            return SegmentHeader.counters(segment.region());
        } catch (final SegmentGoneException ex) {
            return Map.of();
        }
    }
}
