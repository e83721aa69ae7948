// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.IncompatibleVersionException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;

/**
 * Operations on a segment's header: initialization (exactly one initializer, version written last), waiting for the
 * ready signal, validation, pre-touching and reading the counters.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use, also from several processes on the same segment.
 */
public final class SegmentHeader {
    /** Outcome of {@link #initialize}: this caller initialized the segment. */
    public static final int INITIALIZED = 1;
    /** Outcome of {@link #initialize}: another party had claimed the initialization; this caller waited for it. */
    public static final int JOINED = 2;

    /** Page size used for pre-touching; a multiple of every common page size is not needed, only a divisor. */
    public static final int TOUCH_STRIDE = 4096;

    private SegmentHeader() {
    }

    /**
     * Initializes a zeroed segment, or waits for the party that claimed its initialization first.
     * <p>
     * The claim is a compare-and-set of the initializer token from 0, so of any number of concurrent callers (threads
     * or processes mapping the same memory) exactly one writes the header; it writes the version word last, with
     * release. The others wait, bounded by {@code timeoutNanos}, for that version and then validate the header.
     *
     * @param region       the segment, at least {@link SegmentDescriptor#segmentLength(int)} long.
     * @param capacity     the ring capacity to write if this caller initializes.
     * @param ownerNode    the owning node id.
     * @param ownerPid     the owning process id.
     * @param timeoutNanos how long a joining caller waits for the ready signal.
     * @param what         names the segment in error messages (path or object name).
     * @return {@link #INITIALIZED} or {@link #JOINED}.
     * @throws IllegalArgumentException     if the capacity is invalid or the region too short for it.
     * @throws IncompatibleVersionException if the segment has another major version.
     * @throws BusException                 if the segment holds something else (wrong magic) or never becomes ready.
     */
    public static int initialize(
        final SharedRegion region,
        final int capacity,
        final long ownerNode,
        final long ownerPid,
        final long timeoutNanos,
        final String what) {
        checkCapacity(capacity);
        if (region.length() < segmentLength(capacity)) {
            throw new IllegalArgumentException("segment too short for its ring: length=" + region.length()
                + ", required=" + segmentLength(capacity) + ", capacity=" + capacity + ", segment=" + what);
        }
        final int existingMagic = region.getIntAcquire(MAGIC_OFFSET);
        if (existingMagic != 0 && existingMagic != MAGIC) {
            throw wrongMagic(existingMagic, what);
        }
        final long token = ownerNode == 0 ? 1 : ownerNode;
        if (!region.compareAndSetLong(INIT_CLAIM_OFFSET, 0, token)) {
            awaitReady(region, timeoutNanos, what);
            validate(region, what);
            return JOINED;
        }
        region.putInt(MAGIC_OFFSET, MAGIC);
        region.putInt(CAPACITY_OFFSET, capacity);
        region.putInt(MAX_FRAME_LENGTH_OFFSET, maxFrameLength(capacity));
        region.putLong(OWNER_NODE_OFFSET, ownerNode);
        region.putLong(OWNER_PID_OFFSET, ownerPid);
        region.putLong(CREATED_MILLIS_OFFSET, System.currentTimeMillis());
        region.putInt(READER_STATE_OFFSET, READER_OPEN);
        // The version is the ready signal: its release makes every field above visible to an acquire of it.
        region.putIntRelease(VERSION_OFFSET, VERSION);
        return INITIALIZED;
    }

    /**
     * Waits until the segment's version word is non-zero (the ready signal), spinning briefly then parking.
     *
     * @param region       the segment, at least {@link SegmentDescriptor#HEADER_LENGTH} long.
     * @param timeoutNanos the longest wait.
     * @param what         names the segment in error messages.
     * @throws BusException if the magic is wrong or the version stays 0 past the timeout.
     */
    public static void awaitReady(final SharedRegion region, final long timeoutNanos, final String what) {
        if (region.length() < HEADER_LENGTH) {
            throw new BusException("filemap segment shorter than its header: length=" + region.length()
                + ", headerLength=" + HEADER_LENGTH + ", segment=" + what);
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        int spins = 0;
        while (region.getIntAcquire(VERSION_OFFSET) == 0) {
            final int magic = region.getIntAcquire(MAGIC_OFFSET);
            if (magic != 0 && magic != MAGIC) {
                throw wrongMagic(magic, what);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BusException("filemap segment never became ready (its creator may have died while "
                    + "initializing it): segment=" + what + ", waitedMillis=" + timeoutNanos / 1_000_000);
            }
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * Validates a ready segment's header: magic, major version, capacity, length.
     *
     * @param region the segment.
     * @param what   names the segment in error messages.
     * @return the ring capacity.
     * @throws IncompatibleVersionException if the major version differs from {@link SegmentDescriptor#MAJOR_VERSION}.
     * @throws BusException                 if the magic is wrong or the header is inconsistent.
     */
    public static int validate(final SharedRegion region, final String what) {
        final int version = region.getIntAcquire(VERSION_OFFSET);
        final int magic = region.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw wrongMagic(magic, what);
        }
        if (major(version) != MAJOR_VERSION) {
            throw new IncompatibleVersionException("filemap segment has an incompatible layout version (refusing "
                + "to use it; upgrade ipcbus in every process of this bus): segment=" + what + ", version="
                + major(version) + "." + minor(version) + ", supported=" + MAJOR_VERSION + "." + MINOR_VERSION);
        }
        final int capacity = region.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1
            || region.getInt(MAX_FRAME_LENGTH_OFFSET) != maxFrameLength(capacity)) {
            throw new BusException("filemap segment header is corrupt: segment=" + what + ", capacity=" + capacity
                + ", maxFrameLength=" + region.getInt(MAX_FRAME_LENGTH_OFFSET));
        }
        if (region.length() < segmentLength(capacity)) {
            throw new BusException("filemap segment is shorter than its header says: segment=" + what
                + ", length=" + region.length() + ", required=" + segmentLength(capacity));
        }
        return capacity;
    }

    /**
     * Touches every page of a freshly created (all-zero) segment by writing a zero into it, so that the page-table
     * entries exist before the first message and the hot path takes no page fault. Only for a segment nobody else
     * uses yet.
     *
     * @param region the new segment.
     */
    public static void preTouch(final SharedRegion region) {
        for (int offset = 0; offset + Long.BYTES <= region.length(); offset += TOUCH_STRIDE) {
            region.putLong(offset, 0L);
        }
    }

    /**
     * Marks the reader closed: writers see it and return {@code PEER_GONE}.
     *
     * @param region the segment.
     */
    public static void markReaderClosed(final SharedRegion region) {
        region.putIntRelease(READER_STATE_OFFSET, READER_CLOSED);
    }

    /**
     * @param region the segment.
     * @return whether its reader has closed.
     */
    public static boolean isReaderClosed(final SharedRegion region) {
        return region.getIntAcquire(READER_STATE_OFFSET) == READER_CLOSED;
    }

    /**
     * Reads the header's counters and positions, for introspection; the values are read with acquire, each on its
     * own (not a consistent snapshot).
     *
     * @param region a ready segment, possibly written by other processes.
     * @return counter name to value, in a fixed order.
     */
    public static Map<String, Long> counters(final SharedRegion region) {
        final Map<String, Long> counters = new LinkedHashMap<>();
        final long framesRead = region.getLongAcquire(FRAMES_READ_OFFSET);
        counters.put("capacity", (long) region.getInt(CAPACITY_OFFSET));
        counters.put("ownerPid", region.getLong(OWNER_PID_OFFSET));
        counters.put("tailPosition", region.getLongAcquire(TAIL_OFFSET));
        counters.put("headPosition", region.getLongAcquire(HEAD_OFFSET));
        counters.put("framesWritten", framesRead + publishedFramesInRing(region));
        counters.put("framesRead", framesRead);
        counters.put("bytesRead", region.getLongAcquire(BYTES_READ_OFFSET));
        counters.put("backpressureWaits", region.getLongAcquire(BACKPRESSURE_WAITS_OFFSET));
        counters.put("skippedRecords", region.getLongAcquire(SKIPPED_RECORDS_OFFSET));
        counters.put("skippedBytes", region.getLongAcquire(SKIPPED_BYTES_OFFSET));
        counters.put("corruptRecords", region.getLongAcquire(CORRUPT_RECORDS_OFFSET));
        counters.put("liveWriterWaits", region.getLongAcquire(LIVE_WRITER_WAITS_OFFSET));
        counters.put("skippedClaimsRetried", region.getLongAcquire(SKIPPED_CLAIMS_RETRIED_OFFSET));
        counters.put("wakeups", region.getLongAcquire(WAKEUPS_OFFSET));
        counters.put("doorbellRings", region.getLongAcquire(DOORBELL_RINGS_OFFSET));
        counters.put("readerClosed", isReaderClosed(region) ? 1L : 0L);
        return counters;
    }

    /**
     * Counts the published frame records between the head and the tail, stopping at the first record that is not
     * published yet: frames written = frames read + this. Racy against a live reader and writers (an estimate for
     * introspection), never wrong by more than the records consumed or published while it walks.
     */
    private static long publishedFramesInRing(final SharedRegion region) {
        final int capacity = region.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || region.length() < segmentLength(capacity)) {
            return 0;
        }
        final long tail = region.getLongAcquire(TAIL_OFFSET);
        long position = region.getLongAcquire(HEAD_OFFSET);
        long frames = 0;
        while (position < tail && tail - position <= capacity) {
            final int index = (int) position & (capacity - 1);
            final int at = HEADER_LENGTH + index;
            final long header = region.getLongAcquire(RecordDescriptor.headerOffset(at));
            final int length = RecordDescriptor.length(header);
            if (length < RecordDescriptor.HEADER_LENGTH || length > capacity - index) {
                break;
            }
            if (RecordDescriptor.tag(header) == RecordDescriptor.TYPE_FRAME) {
                frames++;
            }
            position += RecordDescriptor.alignedLength(length);
        }
        return frames;
    }

    private static BusException wrongMagic(final int magic, final String what) {
        return new BusException("not an ipcbus filemap segment (refusing to use or overwrite it): segment=" + what
            + ", magic=0x" + Integer.toHexString(magic) + ", expected=0x" + Integer.toHexString(MAGIC));
    }
}
