// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.InboxCounters;
import io.netty.buffer.ByteBuf;

import java.util.function.LongPredicate;

import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_FRAME;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_PADDING;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.alignedLength;
import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;

/**
 * The single reader of a segment's ring: delivers each published frame to a {@link FrameListener} as a view of the
 * shared memory (no copy, no allocation), zeroes the consumed space, and advances the head with release.
 * <p>
 * <b>Bounds.</b> A poll never reads further than one capacity past the head it started from (space it consumed in the
 * same poll is zeroed only at its end). A record whose length or type is impossible (a frame longer than the max frame,
 * a record past the end of the ring) is corrupt: it is reported (once per position), everything up to the tail is
 * dropped, and the head never moves backwards. A length that passes its claim but is otherwise possible (a foreign or
 * buggy writer) cannot be seen per record without reading the tail's cache line for every record, which costs a
 * third of a round trip; it shows as a tail behind the head when the reader next idles, and such a tail, or one more
 * than a capacity ahead of the head (damaged memory), is reported once and reset to the head.
 * <p>
 * <b>Stalled claims</b> ({@link #skipStalled(long, long)}): a claim at the head that stays unpublished for longer
 * than the stall timeout is
 * <ul>
 *   <li>kept, if it is marked and its writer's process still runs a live node of the bus: a paused writer is not a
 *   dead one (counted once per stall as a live-writer wait, and reported once);</li>
 *   <li>skipped and zeroed, if it is marked and its writer is gone (counted, reported);</li>
 *   <li>skipped with skip sentinels, if it was never marked: each free word up to the next record becomes a sentinel
 *   (see {@link RecordDescriptor}), so a writer that resumes finds out and claims again instead of writing into
 *   space the reader passed.</li>
 * </ul>
 * <b>Thread safety:</b> not thread-safe; confine to the one receive thread.
 */
public final class RingReader {
    /** Least time between two asks of the registry whether the writer of a stalled claim is alive. */
    static final long WRITER_CHECK_INTERVAL_NANOS = 100_000_000L;

    private final SharedRegion region;
    private final ErrorHandler errorHandler;
    private final String what;
    private final LongPredicate writerAlive;
    private final ByteBuf view;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;

    private long head;
    private long stallPosition = -1;
    private long stallSinceNanos;
    private long nextWriterCheckNanos;
    private boolean liveWriterReported;
    private long lastCorruptPosition = -1;
    private boolean tailCorruptionReported;

    private long framesRead;
    private long bytesRead;
    private long skippedRecords;
    private long skippedBytes;
    private long wakeups;
    private long corruptRecords;
    private long liveWriterWaits;
    private final InboxCounters counters;
    /** {@link #bytesRead} when {@link #counters} last counted it. */
    private long bytesCounted;

    /**
     * @param region       a ready, validated segment whose only reader this is.
     * @param errorHandler receives listener failures and corrupt-record reports.
     * @param what         names the segment in reports.
     * @param writerAlive  answers whether a process (the pid of a claim mark) still runs a live node of the bus.
     * @param counters     the node's inbox counters (frames read; skipped records dropped; corrupt records errors).
     */
    public RingReader(final SharedRegion region, final ErrorHandler errorHandler, final String what,
        final LongPredicate writerAlive, final InboxCounters counters) {
        this.counters = counters;
        this.region = region;
        this.errorHandler = errorHandler;
        this.what = what;
        this.writerAlive = writerAlive;
        this.capacity = region.getInt(CAPACITY_OFFSET);
        checkCapacity(capacity);
        this.mask = capacity - 1;
        this.maxRecordLength = SegmentDescriptor.maxFrameLength(capacity) + RecordDescriptor.HEADER_LENGTH;
        this.view = region.newView();
        this.head = region.getLongAcquire(HEAD_OFFSET);
        this.framesRead = region.getLong(FRAMES_READ_OFFSET);
        this.bytesRead = region.getLong(BYTES_READ_OFFSET);
        this.bytesCounted = bytesRead;
        this.skippedRecords = region.getLong(SKIPPED_RECORDS_OFFSET);
        this.skippedBytes = region.getLong(SKIPPED_BYTES_OFFSET);
        this.wakeups = region.getLong(WAKEUPS_OFFSET);
        this.corruptRecords = region.getLong(CORRUPT_RECORDS_OFFSET);
        this.liveWriterWaits = region.getLong(LIVE_WRITER_WAITS_OFFSET);
    }

    /**
     * @return the reader's position: total bytes consumed.
     */
    public long head() {
        return head;
    }

    /**
     * @return the segment.
     */
    public SharedRegion region() {
        return region;
    }

    /**
     * Delivers up to {@code limit} published records, in ring order.
     * <p>
     * <b>Ownership:</b> the {@code ByteBuf} passed to the listener is a view of shared memory, valid only until
     * {@code onFrame} returns; its readable bytes are exactly one frame. A listener that throws is reported to the
     * error handler and the frame counts as delivered.
     *
     * @param listener receives each frame.
     * @param limit    the most records to consume in this call.
     * @return the number of frames delivered (padding and skipped records not counted).
     */
    public int poll(final FrameListener listener, final int limit) {
        final long start = head;
        // Space consumed by this poll is zeroed only when it ends: never read a whole capacity past its start.
        final long end = start + capacity;
        long position = start;
        int delivered = 0;
        int consumed = 0;
        while (consumed < limit && position < end) {
            final int index = (int) position & mask;
            final int recordAt = HEADER_LENGTH + index;
            final long header = region.getLongAcquire(RecordDescriptor.headerOffset(recordAt));
            final int length = RecordDescriptor.length(header);
            if (length <= 0) {
                break;
            }
            final int type = RecordDescriptor.tag(header);
            final long next = position + alignedLength(length);
            if (!isPossible(length, type, index)) {
                finish(start, position, delivered);
                resynchronize(position, header);
                return delivered;
            }
            if (type == TYPE_FRAME) {
                final int frameLength = length - RecordDescriptor.HEADER_LENGTH;
                final int body = RecordDescriptor.bodyOffset(recordAt);
                view.setIndex(body, body + frameLength);
                try {
                    listener.onFrame(view);
                } catch (final Throwable failure) {
                    errorHandler.onError(failure);
                }
                delivered++;
                bytesRead += frameLength;
            }
            position = next;
            consumed++;
        }
        finish(start, position, delivered);
        return delivered;
    }

    private boolean isPossible(final int length, final int type, final int index) {
        return length >= RecordDescriptor.HEADER_LENGTH && length <= capacity - index
            && (type == TYPE_PADDING || type == TYPE_FRAME && length <= maxRecordLength);
    }

    private void finish(final long start, final long position, final int delivered) {
        if (position == start) {
            return;
        }
        zero(start, position);
        advance(position);
        tailCorruptionReported = false;
        framesRead += delivered;
        region.putLongRelease(FRAMES_READ_OFFSET, framesRead);
        region.putLongRelease(BYTES_READ_OFFSET, bytesRead);
        if (delivered > 0) {
            counters.onFramesRead(delivered, bytesRead - bytesCounted);
            bytesCounted = bytesRead;
        }
    }

    /** Moves the head forward (never back) with release: a writer that sees it (acquire) sees the space before it. */
    private void advance(final long position) {
        head = position;
        stallPosition = -1;
        region.putLongRelease(HEAD_OFFSET, position);
    }

    private void zero(final long from, final long to) {
        long position = from;
        while (position < to) {
            final int index = (int) position & mask;
            final int count = (int) Math.min(to - position, capacity - index);
            region.setZero(HEADER_LENGTH + index, count);
            position += count;
        }
    }

    /**
     * @return whether the tail is past the head: some writer has claimed space the reader has not consumed, whether
     * or not it is published yet. Reads the tail with a volatile load (used after setting the waiting flag).
     */
    public boolean hasClaimedSpace() {
        return region.getLongVolatile(TAIL_OFFSET) != head;
    }

    /**
     * @param nowNanos the current {@link System#nanoTime()}.
     * @return how long the head has been stalled on an unpublished claim, or 0 if it is not stalled (as of the last
     * {@link #skipStalled} call).
     */
    public long stalledNanos(final long nowNanos) {
        return stallPosition == head ? nowNanos - stallSinceNanos : 0;
    }

    /**
     * Checks for a claim that stays unpublished at the head and, once it is older than {@code timeoutNanos}, skips it
     * unless its writer is alive (see the class comment). Cheap when nothing is stalled, but reads the tail's cache
     * line: call it from the idle path, not per record.
     *
     * @param nowNanos     the current {@link System#nanoTime()}.
     * @param timeoutNanos how long a claim may stay unpublished before its writer's liveness is asked.
     * @return whether the head moved (something was skipped, or damage repaired).
     */
    public boolean skipStalled(final long nowNanos, final long timeoutNanos) {
        final int index = (int) head & mask;
        final long header = region.getLongAcquire(RecordDescriptor.headerOffset(HEADER_LENGTH + index));
        final int length = RecordDescriptor.length(header);
        if (length > 0) {
            stallPosition = -1;
            return false;
        }
        final long tail = region.getLongVolatile(TAIL_OFFSET);
        if (tail == head) {
            stallPosition = -1;
            tailCorruptionReported = false;
            return false;
        }
        if (tail < head || tail - head > capacity) {
            return repairTail(tail);
        }
        tailCorruptionReported = false;
        if (stallPosition != head) {
            stallPosition = head;
            stallSinceNanos = nowNanos;
            nextWriterCheckNanos = nowNanos;
            liveWriterReported = false;
            return false;
        }
        if (nowNanos - stallSinceNanos < timeoutNanos) {
            return false;
        }
        if (length == 0) {
            skipUnmarked(tail, timeoutNanos);
            return true;
        }
        final long claimEnd = head + alignedLength(-length);
        if (-length < RecordDescriptor.HEADER_LENGTH || -length > capacity - index || claimEnd > tail) {
            resynchronize(head, header);
            return true;
        }
        if (nowNanos - nextWriterCheckNanos < 0) {
            return false;
        }
        nextWriterCheckNanos = nowNanos + WRITER_CHECK_INTERVAL_NANOS;
        final long pid = Integer.toUnsignedLong(RecordDescriptor.tag(header));
        if (writerAlive.test(pid)) {
            if (!liveWriterReported) {
                liveWriterReported = true;
                region.putLongRelease(LIVE_WRITER_WAITS_OFFSET, ++liveWriterWaits);
                errorHandler.onError(new BusException("filemap inbox is waiting on a writer that is alive but has "
                    + "not finished its write (paused?); its frames and all after it wait: segment=" + what
                    + ", position=" + head + ", writerPid=" + pid + ", stalledMillis="
                    + (nowNanos - stallSinceNanos) / 1_000_000));
            }
            return false;
        }
        final long from = head;
        zero(from, claimEnd);
        countSkip(claimEnd - from);
        advance(claimEnd);
        errorHandler.onError(new BusException("filemap reader skipped a record whose writer died while writing it "
            + "(its frame is lost): segment=" + what + ", position=" + from + ", skippedBytes=" + (claimEnd - from)
            + ", writerPid=" + pid));
        return true;
    }

    /**
     * Skips a claim that was never marked: turns every free word from the head up to the next record (bounded by
     * {@code tail}) into a skip sentinel, so that its writer, if it resumes, finds out instead of writing here.
     */
    private void skipUnmarked(final long tail, final long timeoutNanos) {
        // The epoch first: a writer that marks a word free of any sentinel later checks it (see RecordDescriptor).
        region.getAndAddLong(SKIP_EPOCH_OFFSET, 1);
        long position = head;
        while (position < tail) {
            final int offset = RecordDescriptor.headerOffset(HEADER_LENGTH + ((int) position & mask));
            final long word = region.getLongVolatile(offset);
            if (RecordDescriptor.length(word) != 0) {
                break; // the next record, marked or published (possibly just now, by the stalled writer)
            }
            final long sentinel = RecordDescriptor.header(0, RecordDescriptor.skipTag(position));
            if (region.compareAndSetLong(offset, word, sentinel)) {
                position += RecordDescriptor.ALIGNMENT;
            }
        }
        if (position == head) {
            return; // marked meanwhile: a normal stall again
        }
        final long from = head;
        countSkip(position - from);
        advance(position);
        errorHandler.onError(new BusException("filemap reader skipped a claim that stayed unmarked past the stall "
            + "timeout (its writer stopped or died between claiming and marking it; a live writer finds out and "
            + "writes its frame again): segment=" + what + ", position=" + from + ", skippedBytes="
            + (position - from) + ", timeoutMillis=" + timeoutNanos / 1_000_000));
    }

    private void countSkip(final long bytes) {
        skippedRecords++;
        skippedBytes += bytes;
        region.putLongRelease(SKIPPED_RECORDS_OFFSET, skippedRecords);
        region.putLongRelease(SKIPPED_BYTES_OFFSET, skippedBytes);
        counters.onFramesDropped(1);
    }

    /**
     * Counts one wake-up from the doorbell.
     */
    public void countWakeup() {
        region.putLongRelease(WAKEUPS_OFFSET, ++wakeups);
    }

    /**
     * @return records skipped so far.
     */
    public long skippedRecords() {
        return skippedRecords;
    }

    private void resynchronize(final long position, final long header) {
        // An impossible header: memory was damaged (a foreign or buggy writer). Nothing after it can be trusted up to
        // the tail seen now; drop that span. Never move the head backwards.
        final long tail = region.getLongVolatile(TAIL_OFFSET);
        if (tail < head || tail - head > capacity) {
            repairTail(tail);
            return;
        }
        final long dropped = Math.max(0, tail - position);
        if (dropped > 0) {
            zero(position, tail);
            advance(tail);
            skippedBytes += dropped;
        } else {
            // A header beyond every claim: wipe it, so that it is neither read again nor in a writer's way.
            region.compareAndSetLong(RecordDescriptor.headerOffset(HEADER_LENGTH + ((int) position & mask)), header, 0);
        }
        corruptRecords++;
        region.putLongRelease(CORRUPT_RECORDS_OFFSET, corruptRecords);
        counters.onError();
        region.putLongRelease(SKIPPED_BYTES_OFFSET, skippedBytes);
        if (position != lastCorruptPosition) {
            lastCorruptPosition = position;
            errorHandler.onError(new BusException("filemap ring holds a corrupt record; dropped everything up to the "
                + "tail: segment=" + what + ", position=" + position + ", length=" + RecordDescriptor.length(header)
                + ", tag=" + RecordDescriptor.tag(header) + ", tail=" + tail + ", droppedBytes=" + dropped));
        }
    }

    /**
     * Repairs a tail that no writer could have produced (behind the head, or more than a capacity ahead of it):
     * zeroes the ring and sets the tail back to the head. Reported once per damage.
     */
    private boolean repairTail(final long tail) {
        zero(head, head + capacity);
        final boolean reset = region.compareAndSetLong(TAIL_OFFSET, tail, head);
        stallPosition = -1;
        corruptRecords++;
        region.putLongRelease(CORRUPT_RECORDS_OFFSET, corruptRecords);
        counters.onError();
        if (!tailCorruptionReported) {
            tailCorruptionReported = true;
            errorHandler.onError(new BusException("filemap ring tail is impossible (damaged memory); reset it to the "
                + "head and dropped the ring's contents: segment=" + what + ", head=" + head + ", tail=" + tail
                + ", capacity=" + capacity + ", reset=" + reset));
        }
        return reset;
    }
}
