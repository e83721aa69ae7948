// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.FrameWriter;
import io.netty.buffer.ByteBuf;

import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_FRAME;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.TYPE_PADDING;
import static dev.ipcbus.transport.filemap.core.RecordDescriptor.alignedLength;
import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;

/**
 * The writer side of a segment's ring: many writers, in any number of threads and processes, append records that one
 * reader ({@link RingReader}) consumes.
 * <p>
 * A write claims space with a compare-and-set of the tail (adding a padding record first when the record does not fit
 * before the end of the ring), marks the record claimed with a compare-and-set of its header word to
 * {@code (-length, pid)}, copies the frame, then publishes the record with a release store of
 * {@code (+length, TYPE_FRAME)} (see {@link RecordDescriptor} for the whole protocol). If the reader announced it is
 * going to sleep (waiting flag), the writer rings the {@link Doorbell}; otherwise it makes no system call.
 * <p>
 * The reader never skips a marked claim while its writer process is alive. It may skip a claim that was never marked
 * (a writer stopped between the tail's compare-and-set and its mark, for longer than the stall timeout); such a writer
 * finds out when it resumes ({@link #SKIPPED}), writes nothing, and its caller claims again: the frame is delivered
 * once, later.
 * <pre>{@code
 * int result = ring.write(frame);
 * if (result != ManyToOneRing.WRITTEN) { idle, check the reader's liveness, retry until a deadline }
 * }</pre>
 * <b>Thread safety:</b> safe for concurrent use. One instance per writer process and segment is enough; the cached
 * head it keeps is only a hint (heads only grow, so a stale value can only make a write re-read the real head).
 */
public final class ManyToOneRing {
    /** {@link #write} result: the record was published. */
    public static final int WRITTEN = 0;
    /** {@link #write} result: not enough free space right now; nothing was written. Retry after the reader moves. */
    public static final int INSUFFICIENT_CAPACITY = -1;
    /**
     * {@link #write} result: the reader skipped this write's claim before it was marked (the writing thread was
     * stopped longer than the stall timeout); nothing was written or delivered. Retry at once.
     */
    public static final int SKIPPED = -2;

    /** The writer tag of this process: its pid's low 32 bits. */
    private static final int WRITER_PID = (int) ProcessHandle.current().pid();

    private final SharedRegion region;
    private final Doorbell doorbell;
    private final int capacity;
    private final int mask;
    private final int maxFrameLength;
    private final int writerPid;
    private final Runnable afterClaim;
    private long headCache;

    /**
     * @param region   a ready, validated segment.
     * @param doorbell rings the segment's reader.
     */
    public ManyToOneRing(final SharedRegion region, final Doorbell doorbell) {
        this(region, doorbell, WRITER_PID, () -> { });
    }

    /**
     * @param region     a ready, validated segment.
     * @param doorbell   rings the segment's reader.
     * @param writerPid  the writer tag put in claim marks.
     * @param afterClaim run between the tail's compare-and-set and the mark (tests stop a writer there).
     */
    ManyToOneRing(final SharedRegion region, final Doorbell doorbell, final int writerPid,
        final Runnable afterClaim) {
        this.region = region;
        this.doorbell = doorbell;
        this.capacity = region.getInt(CAPACITY_OFFSET);
        checkCapacity(capacity);
        this.mask = capacity - 1;
        this.maxFrameLength = SegmentDescriptor.maxFrameLength(capacity);
        this.writerPid = writerPid;
        this.afterClaim = afterClaim;
    }

    /**
     * @return the ring capacity in bytes.
     */
    public int capacity() {
        return capacity;
    }

    /**
     * @return the largest frame this ring accepts: {@code capacity / 8}.
     */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return the segment.
     */
    public SharedRegion region() {
        return region;
    }

    /**
     * Appends one frame as a record, without waiting.
     * <p>
     * <b>Ownership:</b> borrows {@code frame}; its readable bytes are the frame and its indexes are left unchanged.
     *
     * @param frame the frame, at most {@link #maxFrameLength()} bytes.
     * @return {@link #WRITTEN}, {@link #INSUFFICIENT_CAPACITY} or {@link #SKIPPED}.
     * @throws IllegalArgumentException if the frame is empty or longer than {@link #maxFrameLength()}.
     */
    public int write(final ByteBuf frame) {
        final int frameLength = frame.readableBytes();
        final int recordAt = claim(frameLength);
        if (recordAt < 0) {
            return recordAt;
        }
        region.putBytes(RecordDescriptor.bodyOffset(recordAt), frame, frame.readerIndex(), frameLength);
        publish(recordAt, frameLength, TYPE_FRAME);
        return WRITTEN;
    }

    /**
     * Appends one frame as a record, without waiting, letting {@code writer} encode it in place in the ring.
     *
     * @param writer      writes exactly {@code frameLength} bytes at the index it is given, in the region's
     *                    {@link SharedRegion#bytes() view}.
     * @param frameLength the frame's length, at most {@link #maxFrameLength()} bytes.
     * @return {@link #WRITTEN}, {@link #INSUFFICIENT_CAPACITY} or {@link #SKIPPED} (the writer was not called).
     * @throws IllegalArgumentException if the frame is empty or longer than {@link #maxFrameLength()}.
     * @throws RuntimeException         whatever the writer threw; the claimed space became padding the reader skips.
     */
    public int write(final FrameWriter writer, final int frameLength) {
        final int recordAt = claim(frameLength);
        if (recordAt < 0) {
            return recordAt;
        }
        try {
            writer.writeFrame(region.bytes(), RecordDescriptor.bodyOffset(recordAt));
        } catch (final RuntimeException | Error failure) {
            publish(recordAt, frameLength, TYPE_PADDING);
            throw failure;
        }
        publish(recordAt, frameLength, TYPE_FRAME);
        return WRITTEN;
    }

    /**
     * Claims space for a record: a compare-and-set of the tail (with a padding record first when the record does not
     * fit before the end of the ring), then the claim mark.
     *
     * @return the record's offset in the region, or {@link #INSUFFICIENT_CAPACITY} if the ring has no room right now
     * (nothing claimed), or {@link #SKIPPED} if the reader skipped the claim before it was marked.
     */
    private int claim(final int frameLength) {
        if (frameLength > maxFrameLength || frameLength <= 0) {
            throw new IllegalArgumentException("frame does not fit the filemap ring: frameLength=" + frameLength
                + ", maxFrameLength=" + maxFrameLength + ", capacity=" + capacity);
        }
        final int recordLength = frameLength + RecordDescriptor.HEADER_LENGTH;
        final int aligned = alignedLength(recordLength);

        long tail;
        long epoch;
        int padding;
        do {
            tail = region.getLongVolatile(TAIL_OFFSET);
            // Same cache line as the tail: costs nothing more than the tail's load.
            epoch = region.getLongAcquire(SKIP_EPOCH_OFFSET);
            final int toEnd = capacity - ((int) tail & mask);
            padding = aligned > toEnd ? toEnd : 0;
            final long required = tail + padding + aligned;
            if (required - headCache > capacity) {
                headCache = region.getLongAcquire(HEAD_OFFSET);
                if (required - headCache > capacity) {
                    return INSUFFICIENT_CAPACITY;
                }
            }
        } while (!region.compareAndSetLong(TAIL_OFFSET, tail, tail + padding + aligned));
        afterClaim.run();

        if (padding != 0 && !mark(tail, RecordDescriptor.header(padding, TYPE_PADDING), epoch)) {
            return SKIPPED;
        }
        final long position = tail + padding;
        if (!mark(position, RecordDescriptor.claimMark(recordLength, writerPid), epoch)) {
            return SKIPPED;
        }
        return HEADER_LENGTH + ((int) position & mask);
    }

    /**
     * Puts {@code value} in the free header word at {@code position}, unless the reader skipped the claim there.
     * The compare-and-set orders every later store of the body after it.
     *
     * @return whether the word now holds {@code value}; {@code false} if the claim was skipped (nothing changed).
     */
    private boolean mark(final long position, final long value, final long epochAtClaim) {
        final int offset = RecordDescriptor.headerOffset(HEADER_LENGTH + ((int) position & mask));
        long expected = 0;
        while (!region.compareAndSetLong(offset, expected, value)) {
            expected = region.getLongVolatile(offset);
            if (expected == 0) {
                continue;
            }
            if (!RecordDescriptor.isSentinel(expected)
                || RecordDescriptor.tag(expected) == RecordDescriptor.skipTag(position)) {
                // This claim's own sentinel, or a record of a later lap: the reader skipped this claim.
                return false;
            }
            // A sentinel left from an earlier lap at the same index: as good as free.
        }
        // The word was free: normally this claim's, but also if the reader skipped this claim and a later lap's
        // consumption zeroed its sentinel. The skip moved the epoch before it moved the head past the claim.
        if (region.getLongAcquire(SKIP_EPOCH_OFFSET) != epochAtClaim
            && region.getLongAcquire(HEAD_OFFSET) > position) {
            region.compareAndSetLong(offset, value, 0);
            return false;
        }
        return true;
    }

    /** Publishes a claimed record, and rings the doorbell if the reader is going to sleep. */
    private void publish(final int recordAt, final int frameLength, final int type) {
        region.putLongRelease(RecordDescriptor.headerOffset(recordAt),
            RecordDescriptor.header(frameLength + RecordDescriptor.HEADER_LENGTH, type));
        // Volatile load after the (sequentially consistent) tail CAS: pairs with the reader's volatile store of the
        // flag followed by its volatile load of the tail (see Doorbell).
        if (region.getIntVolatile(WAITING_OFFSET) != 0 && region.compareAndSetInt(WAITING_OFFSET, 1, 0)) {
            ringDoorbell();
        }
    }

    /**
     * Bumps the doorbell sequence and rings the doorbell, unconditionally (used also to wake a reader that is
     * closing).
     */
    public void ringDoorbell() {
        region.getAndAddInt(DOORBELL_SEQ_OFFSET, 1);
        region.getAndAddLong(DOORBELL_RINGS_OFFSET, 1);
        doorbell.ring();
    }

    /**
     * Counts one write that the reader skipped before it was marked and that claims again (introspection counter).
     */
    public void countSkippedClaimRetry() {
        region.getAndAddLong(SKIPPED_CLAIMS_RETRIED_OFFSET, 1);
    }

    /**
     * Counts one offer that found the ring full (for the introspection counters).
     */
    public void countBackpressureWait() {
        region.getAndAddLong(BACKPRESSURE_WAITS_OFFSET, 1);
    }

    /**
     * @return whether the reader closed its inbox.
     */
    public boolean isReaderClosed() {
        return SegmentHeader.isReaderClosed(region);
    }
}
