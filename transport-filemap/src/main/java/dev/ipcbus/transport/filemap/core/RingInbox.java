// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.DOORBELL_SEQ_OFFSET;
import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.WAITING_OFFSET;

/**
 * A node's filemap inbox: its segment, and one receive thread that polls the ring, delivers frames and idles as the
 * {@link IdleMode} says when the ring is empty.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the listener is called from the receive thread only.
 */
public final class RingInbox implements Inbox {
    /** Most records consumed per poll before the head is published. */
    static final int POLL_LIMIT = 64;
    /** Hybrid idling: busy-spin iterations before yielding (tuning knob {@code -Dipcbus.filemap.hybridSpins}). */
    static final int HYBRID_SPINS = Integer.getInteger("ipcbus.filemap.hybridSpins", 50);
    /** Hybrid idling: yields before sleeping on the doorbell (tuning knob {@code -Dipcbus.filemap.hybridYields}). */
    static final int HYBRID_YIELDS = Integer.getInteger("ipcbus.filemap.hybridYields", 300);
    /** Longest single sleep on the doorbell, so that stalled claims are noticed without a ring. */
    static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final MappedSegment segment;
    private final SharedRegion region;
    private final RingReader reader;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final RingSettings settings;
    private final Doorbell doorbell;
    private final Runnable onClose;
    private final long sleepNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean closed;

    /**
     * Initializes a freshly created segment and starts the receive thread.
     *
     * @param nodeId       the owning node.
     * @param segment      a new, zeroed segment of {@link SegmentDescriptor#segmentLength(int)} bytes.
     * @param settings     capacity, idle mode, timeouts.
     * @param listener     receives the frames.
     * @param errorHandler receives failures on the receive thread.
     * @param writerAlive  answers whether the writer process of a stalled claim still runs a live node.
     * @param counters     the node's inbox counters.
     * @param onClose      run once when the inbox closes (the transport forgets it).
     */
    public RingInbox(
        final long nodeId,
        final MappedSegment segment,
        final RingSettings settings,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final LongPredicate writerAlive,
        final InboxCounters counters,
        final Runnable onClose) {
        this.segment = segment;
        this.region = segment.region();
        this.settings = settings;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.doorbell = segment.doorbell();
        this.onClose = onClose;
        this.sleepNanos = Math.max(1_000_000, Math.min(MAX_SLEEP_NANOS, settings.stallTimeoutNanos() / 4));
        SegmentHeader.preTouch(region);
        final int outcome = SegmentHeader.initialize(region, settings.capacity(), nodeId,
            ProcessHandle.current().pid(), settings.openTimeoutNanos(), segment.address());
        if (outcome != SegmentHeader.INITIALIZED) {
            throw new BusException("filemap segment was initialized by someone else (name collision?): segment="
                + segment.address());
        }
        this.reader = new RingReader(region, errorHandler, segment.address(), writerAlive, counters);
        this.thread = new Thread(this::run, "ipcbus-filemap-" + NodeIds.format(nodeId));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @return the largest frame this inbox's ring takes: capacity / 8 ({@link SegmentDescriptor#maxFrameLength}).
     */
    @Override
    public int maxFrameLength() {
        return SegmentDescriptor.maxFrameLength(settings.capacity());
    }

    @Override
    public String address() {
        return segment.address();
    }

    /**
     * @return the counters of this inbox's segment.
     */
    public java.util.Map<String, Long> counters() {
        return SegmentHeader.counters(region);
    }

    private void run() {
        final IdleMode mode = settings.idleMode();
        int idleCount = 0;
        while (running) {
            try {
                if (reader.poll(listener, POLL_LIMIT) > 0) {
                    idleCount = 0;
                    continue;
                }
                idleCount++;
                switch (mode) {
                    case SPIN:
                        Thread.onSpinWait();
                        if ((idleCount & 0xFFF) == 0) {
                            reader.skipStalled(System.nanoTime(), settings.stallTimeoutNanos());
                        }
                        break;
                    case YIELD:
                        Thread.yield();
                        if ((idleCount & 0xFF) == 0) {
                            reader.skipStalled(System.nanoTime(), settings.stallTimeoutNanos());
                        }
                        break;
                    case BLOCK:
                        sleep();
                        break;
                    default:
                        if (idleCount < HYBRID_SPINS) {
                            Thread.onSpinWait();
                        } else if (idleCount < HYBRID_SPINS + HYBRID_YIELDS) {
                            Thread.yield();
                        } else {
                            sleep();
                        }
                        break;
                }
            } catch (final Throwable failure) {
                errorHandler.onError(new BusException("filemap receive loop failed: segment=" + segment.address(),
                    failure));
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private void sleep() {
        final int sequence = region.getIntVolatile(DOORBELL_SEQ_OFFSET);
        // Volatile store then volatile load of the tail: see Doorbell for why no wake-up is lost.
        region.putIntVolatile(WAITING_OFFSET, 1);
        if (!running) {
            region.putIntOpaque(WAITING_OFFSET, 0);
            return;
        }
        if (reader.hasClaimedSpace()) {
            region.putIntOpaque(WAITING_OFFSET, 0);
            final long now = System.nanoTime();
            // Claimed but not yet published: normally a writer in the middle of a copy. Only a claim stalled for a
            // while (a dead writer) gets the reader to park instead of yield while it waits for the stall timeout.
            if (!reader.skipStalled(now, settings.stallTimeoutNanos())) {
                if (reader.stalledNanos(now) > 1_000_000) {
                    LockSupport.parkNanos(100_000);
                } else {
                    Thread.yield();
                }
            }
            return;
        }
        doorbell.await(sequence, sleepNanos);
        if (region.getIntVolatile(DOORBELL_SEQ_OFFSET) != sequence) {
            reader.countWakeup();
        }
        region.putIntOpaque(WAITING_OFFSET, 0);
    }

    /**
     * Stops the receive thread, marks the segment closed (writers get {@code PEER_GONE}), waits for the thread (unless
     * called from it) and removes the segment. Frames still in the ring are dropped. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        SegmentHeader.markReaderClosed(region);
        try {
            region.getAndAddInt(DOORBELL_SEQ_OFFSET, 1);
            doorbell.ring();
            if (Thread.currentThread() != thread) {
                thread.join(TimeUnit.SECONDS.toMillis(5));
                if (thread.isAlive()) {
                    errorHandler.onError(new BusException("filemap receive thread did not stop within 5 s (a "
                        + "listener is blocked?): segment=" + segment.address()));
                }
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                segment.close();
            } finally {
                onClose.run();
            }
        }
    }

    @Override
    public String toString() {
        return "RingInbox{address=" + segment.address() + ", " + settings + "}";
    }
}
