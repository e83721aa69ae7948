package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.FrameListener;
import io.netty.buffer.ByteBuf;

import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_FRAME;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_PADDING;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.alignedLength;
import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;

/**
 * The single reader of a segment's ring: delivers each published frame to a {@link FrameListener} as a view of the
 * shared memory (no copy, no allocation), zeroes the consumed space, and advances the head with release.
 * <p>
 * It also unblocks the ring when a writer died between claiming space and publishing it
 * ({@link #skipStalled(long, long)}): a record that stays claimed (negative length), or a claimed space whose header
 * was never written (length 0 while the tail is past it), for longer than the stall timeout is skipped and counted.
 * The record's length, if the writer marked it, says how far to skip; if not, the body of an unmarked claim is all
 * zeros (see {@link RecordDescriptor}), so the next non-zero word in record-aligned steps up to the tail is the next
 * record's header.
 * <p>
 * <b>Hazard, documented rather than prevented:</b> a writer that was not dead but paused (stopped, swapped out) for
 * longer than the stall timeout between claim and publish will, when it resumes, write into space the reader has
 * already skipped; that frame is lost and, if the space was reused meanwhile, the record there is damaged. The reader
 * detects impossible record headers, reports them once to the error handler and resynchronizes at the tail
 * ({@link SegmentDescriptor#CORRUPT_RECORDS_OFFSET}). Keep the stall timeout far above any pause you expect.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the one receive thread.
 */
public final class RingReader {
    private final SharedRegion region;
    private final ErrorHandler errorHandler;
    private final String what;
    private final ByteBuf view;
    private final int capacity;
    private final int mask;

    private long head;
    private long stallPosition = -1;
    private long stallSinceNanos;

    private long framesRead;
    private long bytesRead;
    private long skippedRecords;
    private long skippedBytes;
    private long wakeups;
    private long corruptRecords;

    /**
     * @param region       a ready, validated segment whose only reader this is.
     * @param errorHandler receives listener failures and corrupt-record reports.
     * @param what         names the segment in reports.
     */
    public RingReader(final SharedRegion region, final ErrorHandler errorHandler, final String what) {
        this.region = region;
        this.errorHandler = errorHandler;
        this.what = what;
        this.capacity = region.getInt(CAPACITY_OFFSET);
        checkCapacity(capacity);
        this.mask = capacity - 1;
        this.view = region.newView();
        this.head = region.getLongAcquire(HEAD_OFFSET);
        this.framesRead = region.getLong(FRAMES_READ_OFFSET);
        this.bytesRead = region.getLong(BYTES_READ_OFFSET);
        this.skippedRecords = region.getLong(SKIPPED_RECORDS_OFFSET);
        this.skippedBytes = region.getLong(SKIPPED_BYTES_OFFSET);
        this.wakeups = region.getLong(WAKEUPS_OFFSET);
        this.corruptRecords = region.getLong(CORRUPT_RECORDS_OFFSET);
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
        long position = start;
        int delivered = 0;
        int consumed = 0;
        while (consumed < limit) {
            final int index = (int) position & mask;
            final int recordAt = HEADER_LENGTH + index;
            final int length = region.getIntAcquire(RecordDescriptor.lengthOffset(recordAt));
            if (length <= 0) {
                break;
            }
            final int type = region.getInt(RecordDescriptor.typeOffset(recordAt));
            if (length < RecordDescriptor.HEADER_LENGTH || length > capacity - index
                || (type != TYPE_FRAME && type != TYPE_PADDING)) {
                finish(start, position, delivered);
                resynchronize(position, length, type);
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
            position += alignedLength(length);
            consumed++;
        }
        if (position != start) {
            finish(start, position, delivered);
        }
        return delivered;
    }

    private void finish(final long start, final long position, final int delivered) {
        if (position == start) {
            return;
        }
        zero(start, position);
        head = position;
        framesRead += delivered;
        stallPosition = -1;
        // Zeroes first, then the head with release: a writer that sees the new head (acquire) sees zeroed space.
        region.putLongRelease(HEAD_OFFSET, position);
        region.putLongRelease(FRAMES_READ_OFFSET, framesRead);
        region.putLongRelease(BYTES_READ_OFFSET, bytesRead);
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
     * Checks for a claim that stays unpublished at the head and skips it once it is older than
     * {@code timeoutNanos}. Cheap when nothing is stalled, but reads the tail's cache line: call it from the idle
     * path, not per record.
     *
     * @param nowNanos     the current {@link System#nanoTime()}.
     * @param timeoutNanos how long a claim may stay unpublished.
     * @return whether something was skipped.
     */
    public boolean skipStalled(final long nowNanos, final long timeoutNanos) {
        final int recordAt = HEADER_LENGTH + ((int) head & mask);
        final int length = region.getIntAcquire(RecordDescriptor.lengthOffset(recordAt));
        if (length > 0) {
            stallPosition = -1;
            return false;
        }
        final long tail = region.getLongVolatile(TAIL_OFFSET);
        if (tail == head) {
            stallPosition = -1;
            return false;
        }
        if (stallPosition != head) {
            stallPosition = head;
            stallSinceNanos = nowNanos;
            return false;
        }
        if (nowNanos - stallSinceNanos < timeoutNanos) {
            return false;
        }
        long skipTo;
        final int index = (int) head & mask;
        if (length < 0 && -length >= RecordDescriptor.HEADER_LENGTH && -length <= capacity - index) {
            skipTo = head + alignedLength(-length);
        } else {
            skipTo = tail;
            for (long position = head + RecordDescriptor.ALIGNMENT; position < tail;
                position += RecordDescriptor.ALIGNMENT) {
                final int at = HEADER_LENGTH + ((int) position & mask);
                if (region.getIntVolatile(RecordDescriptor.lengthOffset(at)) != 0) {
                    skipTo = position;
                    break;
                }
            }
        }
        skippedRecords++;
        skippedBytes += skipTo - head;
        final long from = head;
        zero(from, skipTo);
        head = skipTo;
        stallPosition = -1;
        region.putLongRelease(HEAD_OFFSET, skipTo);
        region.putLongRelease(SKIPPED_RECORDS_OFFSET, skippedRecords);
        region.putLongRelease(SKIPPED_BYTES_OFFSET, skippedBytes);
        errorHandler.onError(new BusException("filemap reader skipped a record its writer claimed but never "
            + "published (writer died or stalled past the timeout): segment=" + what + ", position=" + from
            + ", skippedBytes=" + (skipTo - from) + ", timeoutMillis=" + timeoutNanos / 1_000_000));
        return true;
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

    private void resynchronize(final long position, final int length, final int type) {
        // An impossible header: memory was damaged (a writer resumed after its stalled claim was skipped, or a
        // foreign process wrote here). Nothing after it can be trusted up to the tail seen now; drop that span.
        final long tail = region.getLongVolatile(TAIL_OFFSET);
        corruptRecords++;
        skippedBytes += tail - position;
        zero(position, tail);
        head = tail;
        stallPosition = -1;
        region.putLongRelease(HEAD_OFFSET, tail);
        region.putLongRelease(CORRUPT_RECORDS_OFFSET, corruptRecords);
        region.putLongRelease(SKIPPED_BYTES_OFFSET, skippedBytes);
        errorHandler.onError(new BusException("filemap ring holds a corrupt record; dropped everything up to the "
            + "tail: segment=" + what + ", position=" + position + ", length=" + length + ", type=" + type
            + ", droppedBytes=" + (tail - position)));
    }
}
