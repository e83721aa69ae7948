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
 * before the end of the ring), marks the record claimed with its negative length, copies the frame, then publishes
 * the record with a release store of its positive length. If the reader announced it is going to sleep (waiting
 * flag), the writer rings the {@link Doorbell}; otherwise it makes no system call.
 * <pre>{@code
 * int result = ring.write(frame);
 * if (result == ManyToOneRing.INSUFFICIENT_CAPACITY) { idle, check the reader's liveness, retry until a deadline }
 * }</pre>
 * <b>Thread safety:</b> safe for concurrent use. One instance per writer process and segment is enough; the cached
 * head it keeps is only a hint (heads only grow, so a stale value can only make a write re-read the real head).
 */
public final class ManyToOneRing {
    /** {@link #write} result: the record was published. */
    public static final int WRITTEN = 0;
    /** {@link #write} result: not enough free space right now; nothing was written. Retry after the reader moves. */
    public static final int INSUFFICIENT_CAPACITY = -1;

    private final SharedRegion region;
    private final Doorbell doorbell;
    private final int capacity;
    private final int mask;
    private final int maxFrameLength;
    private long headCache;

    /**
     * @param region   a ready, validated segment.
     * @param doorbell rings the segment's reader.
     */
    public ManyToOneRing(final SharedRegion region, final Doorbell doorbell) {
        this.region = region;
        this.doorbell = doorbell;
        this.capacity = region.getInt(CAPACITY_OFFSET);
        checkCapacity(capacity);
        this.mask = capacity - 1;
        this.maxFrameLength = SegmentDescriptor.maxFrameLength(capacity);
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
     * @return {@link #WRITTEN} or {@link #INSUFFICIENT_CAPACITY}.
     * @throws IllegalArgumentException if the frame is empty or longer than {@link #maxFrameLength()}.
     */
    public int write(final ByteBuf frame) {
        final int frameLength = frame.readableBytes();
        final int recordAt = claim(frameLength);
        if (recordAt < 0) {
            return INSUFFICIENT_CAPACITY;
        }
        region.putBytes(RecordDescriptor.bodyOffset(recordAt), frame, frame.readerIndex(), frameLength);
        publish(recordAt, frameLength);
        return WRITTEN;
    }

    /**
     * Appends one frame as a record, without waiting, letting {@code writer} encode it in place in the ring.
     *
     * @param writer      writes exactly {@code frameLength} bytes at the index it is given, in the region's
     *                    {@link SharedRegion#bytes() view}.
     * @param frameLength the frame's length, at most {@link #maxFrameLength()} bytes.
     * @return {@link #WRITTEN} or {@link #INSUFFICIENT_CAPACITY} (the writer was not called).
     * @throws IllegalArgumentException if the frame is empty or longer than {@link #maxFrameLength()}.
     * @throws RuntimeException         whatever the writer threw; the claimed space became padding the reader skips.
     */
    public int write(final FrameWriter writer, final int frameLength) {
        final int recordAt = claim(frameLength);
        if (recordAt < 0) {
            return INSUFFICIENT_CAPACITY;
        }
        try {
            writer.writeFrame(region.bytes(), RecordDescriptor.bodyOffset(recordAt));
        } catch (final RuntimeException | Error failure) {
            abandon(recordAt, frameLength);
            throw failure;
        }
        publish(recordAt, frameLength);
        return WRITTEN;
    }

    /**
     * Claims space for a record: a compare-and-set of the tail (with a padding record first when the record does not
     * fit before the end of the ring), then the claim mark (negative length) and the type.
     *
     * @return the record's offset in the region, or -1 if the ring has no room right now (nothing claimed).
     */
    private int claim(final int frameLength) {
        if (frameLength > maxFrameLength || frameLength <= 0) {
            throw new IllegalArgumentException("frame does not fit the filemap ring: frameLength=" + frameLength
                + ", maxFrameLength=" + maxFrameLength + ", capacity=" + capacity);
        }
        final int recordLength = frameLength + RecordDescriptor.HEADER_LENGTH;
        final int aligned = alignedLength(recordLength);

        long tail;
        int index;
        int padding;
        do {
            tail = region.getLongVolatile(TAIL_OFFSET);
            index = (int) tail & mask;
            final int toEnd = capacity - index;
            padding = aligned > toEnd ? toEnd : 0;
            final long required = tail + padding + aligned;
            if (required - headCache > capacity) {
                headCache = region.getLongAcquire(HEAD_OFFSET);
                if (required - headCache > capacity) {
                    return -1;
                }
            }
        } while (!region.compareAndSetLong(TAIL_OFFSET, tail, tail + padding + aligned));

        if (padding != 0) {
            final int paddingAt = HEADER_LENGTH + index;
            region.putInt(RecordDescriptor.typeOffset(paddingAt), TYPE_PADDING);
            region.putIntRelease(RecordDescriptor.lengthOffset(paddingAt), padding);
            index = 0;
        }
        final int recordAt = HEADER_LENGTH + index;
        // Claim mark (-length) and type in one 8-byte store: the record header is 8-byte aligned, length first.
        region.putLongOpaque(RecordDescriptor.lengthOffset(recordAt),
            (-recordLength & 0xFFFFFFFFL) | (long) TYPE_FRAME << 32);
        // The claim mark must be visible before any byte of the body: a reader that finds length 0 at a stalled
        // claim relies on the body being all zeros to find the next record.
        SharedRegion.releaseFence();
        return recordAt;
    }

    /** Publishes a claimed record whose body is written, and rings the doorbell if the reader is going to sleep. */
    private void publish(final int recordAt, final int frameLength) {
        region.putIntRelease(RecordDescriptor.lengthOffset(recordAt), frameLength + RecordDescriptor.HEADER_LENGTH);
        // Volatile load after the (sequentially consistent) tail CAS: pairs with the reader's volatile store of the
        // flag followed by its volatile load of the tail (see Doorbell).
        if (region.getIntVolatile(WAITING_OFFSET) != 0 && region.compareAndSetInt(WAITING_OFFSET, 1, 0)) {
            ringDoorbell();
        }
    }

    /** Turns a claimed record whose body could not be written into padding of the same length, and publishes it. */
    private void abandon(final int recordAt, final int frameLength) {
        region.putInt(RecordDescriptor.typeOffset(recordAt), TYPE_PADDING);
        publish(recordAt, frameLength);
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
