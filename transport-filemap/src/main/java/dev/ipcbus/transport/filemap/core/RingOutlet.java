// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.spi.FrameWriter;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An outlet into another node's filemap inbox: writes frames into its ring, waiting with the configured idle mode
 * while the ring is full, and giving up at once if the reader closes or dies.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; frames offered by one thread arrive in the order offered.
 */
public final class RingOutlet implements Outlet {
    /** How often a waiting writer asks the registry whether the reader is alive. */
    static final long LIVENESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Hybrid waiting: spins before yielding. */
    static final int WAIT_SPINS = 100;
    /** Hybrid waiting: yields before parking. */
    static final int WAIT_YIELDS = 100;
    /** Park interval of a waiting writer in {@code block} and late {@code hybrid} waiting. */
    static final long WAIT_PARK_NANOS = 50_000;

    private final long nodeId;
    private final MappedSegment segment;
    private final ManyToOneRing ring;
    private final NodeLiveness liveness;
    private final IdleMode idleMode;
    private final int transportMaxFrameLength;
    private final Runnable onClose;
    private volatile boolean closed;

    /**
     * @param nodeId                  the target node.
     * @param segment                 its opened, validated segment.
     * @param liveness                the registry's liveness view, polled while waiting.
     * @param idleMode                how to wait for space.
     * @param transportMaxFrameLength the transport's advertised max frame length.
     * @param onClose                 run once when the outlet closes.
     */
    public RingOutlet(
        final long nodeId,
        final MappedSegment segment,
        final NodeLiveness liveness,
        final IdleMode idleMode,
        final int transportMaxFrameLength,
        final Runnable onClose) {
        this.nodeId = nodeId;
        this.segment = segment;
        this.ring = new ManyToOneRing(segment.region(), segment.doorbell());
        this.liveness = liveness;
        this.idleMode = idleMode;
        this.transportMaxFrameLength = transportMaxFrameLength;
        this.onClose = onClose;
    }

    /**
     * @return the target segment's max frame length (its capacity / 8; may differ from this transport's own).
     */
    public int maxFrameLength() {
        return ring.maxFrameLength();
    }

    @Override
    public int offer(final ByteBuf frame, final long timeoutNanos) {
        final int status = checkOffer(frame.readableBytes());
        if (status != SENT) {
            return status;
        }
        if (write(frame, null, 0) == ManyToOneRing.WRITTEN) {
            return SENT;
        }
        return awaitSpace(frame, null, 0, timeoutNanos);
    }

    /**
     * @return {@code true}: frames are encoded straight into the target's ring.
     */
    @Override
    public boolean writesInPlace() {
        return true;
    }

    @Override
    public int offer(final FrameWriter writer, final int frameLength, final long timeoutNanos) {
        final int status = checkOffer(frameLength);
        if (status != SENT) {
            return status;
        }
        if (write(null, writer, frameLength) == ManyToOneRing.WRITTEN) {
            return SENT;
        }
        return awaitSpace(null, writer, frameLength, timeoutNanos);
    }

    /** @return {@link #SENT} if a frame of this length may be written now, else the status to return. */
    private int checkOffer(final int frameLength) {
        if (frameLength > transportMaxFrameLength || frameLength > ring.maxFrameLength()) {
            // A run-time condition (the target's ring is smaller than this frame), not a caller's bad argument.
            throw new MessageTooLargeException(frameLength, Math.min(transportMaxFrameLength, ring.maxFrameLength()),
                "filemap", NodeIds.format(nodeId), "capacity (the target's is " + ring.capacity()
                + " bytes; largest frame = capacity / 8; e.g. capacity=" + suggestCapacity(frameLength) + ")");
        }
        if (closed) {
            return CLOSED;
        }
        if (ring.isReaderClosed()) {
            return PEER_GONE;
        }
        return SENT;
    }

    /** Waits for space and writes {@code frame}, or, if it is {@code null}, what {@code writer} encodes. */
    private int awaitSpace(final ByteBuf frame, final FrameWriter writer, final int frameLength,
        final long timeoutNanos) {
        ring.countBackpressureWait();
        final long start = System.nanoTime();
        long nextLivenessCheck = start + LIVENESS_INTERVAL_NANOS;
        int attempts = 0;
        while (true) {
            final long now = System.nanoTime();
            if (now - start >= timeoutNanos) {
                return BACK_PRESSURED;
            }
            if (closed) {
                return CLOSED;
            }
            if (ring.isReaderClosed()) {
                return PEER_GONE;
            }
            if (now - nextLivenessCheck >= 0) {
                nextLivenessCheck = now + LIVENESS_INTERVAL_NANOS;
                if (!liveness.isAlive(nodeId)) {
                    return PEER_GONE;
                }
            }
            backOff(++attempts);
            if (closed) {
                return CLOSED;
            }
            if (write(frame, writer, frameLength) == ManyToOneRing.WRITTEN) {
                return SENT;
            }
        }
    }

    /**
     * Writes {@code frame}, or, if it is {@code null}, what {@code writer} encodes; claims again at once as long as
     * the reader skipped the claim (this thread was stopped between claiming and marking it).
     *
     * @return {@link ManyToOneRing#WRITTEN} or {@link ManyToOneRing#INSUFFICIENT_CAPACITY}.
     */
    private int write(final ByteBuf frame, final FrameWriter writer, final int frameLength) {
        while (true) {
            final int written = frame != null ? ring.write(frame) : ring.write(writer, frameLength);
            if (written != ManyToOneRing.SKIPPED) {
                return written;
            }
            ring.countSkippedClaimRetry();
        }
    }

    private void backOff(final int attempts) {
        switch (idleMode) {
            case SPIN:
                Thread.onSpinWait();
                break;
            case YIELD:
                Thread.yield();
                break;
            case BLOCK:
                LockSupport.parkNanos(WAIT_PARK_NANOS);
                break;
            default:
                if (attempts < WAIT_SPINS) {
                    Thread.onSpinWait();
                } else if (attempts < WAIT_SPINS + WAIT_YIELDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(WAIT_PARK_NANOS);
                }
                break;
        }
    }

    private static String suggestCapacity(final int frameLength) {
        long capacity = Math.max(SegmentDescriptor.MIN_CAPACITY, Long.highestOneBit((long) frameLength * 8));
        if (capacity < (long) frameLength * 8) {
            capacity <<= 1;
        }
        return capacity >= 1L << 20 ? (capacity >> 20) + "MiB" : (capacity >> 10) + "KiB";
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            segment.close();
        } finally {
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "RingOutlet{node=" + NodeIds.format(nodeId) + ", address=" + segment.address() + "}";
    }
}
