// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.FrameListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;

import static dev.ipcbus.transport.pipe.core.PipeRecordDescriptor.*;

/**
 * Cuts one pipe connection's byte stream back into frames: the {@link PipeHelloDescriptor hello} first, then
 * {@link PipeRecordDescriptor records}. The caller reads bytes from the OS into {@link #writableBuffer()}, reports
 * them with {@link #onBytesRead(int)} and calls {@link #deliver(FrameListener)}.
 * <p>
 * Memory is bounded: the buffer starts at {@code initialCapacity} and grows only for a record whose length was first
 * checked against {@code maxFrameLength}, up to {@code maxFrameLength} + {@link PipeRecordDescriptor#OVERHEAD}; it
 * goes back to its initial size once large records stop coming. A record whose length is beyond this inbox's maximum
 * but within {@link PipeRecordDescriptor#MAX_FRAME_LENGTH} (what any writer may send: a peer whose URI allows larger
 * frames) is skipped: its bytes are read and dropped without being buffered, it is counted
 * ({@link #oversizeFramesDropped()}), and the frames after it are delivered; the stream stays in step. A length
 * beyond {@link PipeRecordDescriptor#MAX_FRAME_LENGTH}, a bad hello or a bad status byte is {@link #MALFORMED}: the
 * caller reports {@link #malformedReason()} once and drops the connection.
 * At end of stream, {@link #hasPartialRecord()} tells whether a frame was cut off (its writer died mid-frame); it is
 * discarded, never delivered.
 * <p>
 * <b>Ownership:</b> owns its buffer; {@link #close()} releases it. A delivered frame is a slice of that buffer,
 * borrowed by the listener until {@code onFrame} returns (the assembler releases it then: the listener must not); a
 * listener that retains it ({@code retainedSlice()}) keeps the bytes valid, because the assembler then moves to a
 * fresh buffer instead of overwriting a retained one. With a pooled allocator the delivered slice is recycled, so
 * receiving allocates nothing per frame.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to one thread (the inbox's receive thread).
 */
public final class RecordAssembler implements AutoCloseable {
    /** {@link #deliver} consumed every complete record; read more bytes. */
    public static final int OK = 0;
    /** The stream is garbage; see {@link #malformedReason()}; drop the connection. */
    public static final int MALFORMED = -1;

    private static final int STATE_HELLO = 0;
    private static final int STATE_PREFIX = 1;
    private static final int STATE_BODY = 2;
    /** Discarding an oversize record: {@link #skipRemaining} frame bytes, then its status byte. */
    private static final int STATE_SKIP = 3;
    /** Shrink back after this many deliveries without a record larger than the initial capacity. */
    private static final int SHRINK_AFTER = 64;

    private final long nodeId;
    private final int maxFrameLength;
    private final int initialCapacity;
    private final ByteBufAllocator allocator;
    private final PipeInboxCounters counters;
    private ByteBuf buffer;
    private int state = STATE_HELLO;
    private int frameLength;
    private int sinceLargeRecord;
    private int skipRemaining;
    private long oversizeFramesDropped;
    private int firstOversizeLength;
    private String malformedReason;

    /**
     * @param nodeId          the inbox's node id (checked against the hello's target).
     * @param maxFrameLength  the largest frame accepted.
     * @param initialCapacity the buffer's starting size, at least {@link PipeHelloDescriptor#LENGTH}.
     * @param allocator       where the buffer comes from.
     * @param counters        the inbox's counters.
     */
    public RecordAssembler(
        final long nodeId,
        final int maxFrameLength,
        final int initialCapacity,
        final ByteBufAllocator allocator,
        final PipeInboxCounters counters) {
        if (maxFrameLength < 0 || maxFrameLength > Integer.MAX_VALUE - OVERHEAD) {
            throw new IllegalArgumentException("bad maxFrameLength: maxFrameLength=" + maxFrameLength);
        }
        if (initialCapacity < PipeHelloDescriptor.LENGTH) {
            throw new IllegalArgumentException("initial capacity too small: initialCapacity=" + initialCapacity);
        }
        this.nodeId = nodeId;
        this.maxFrameLength = maxFrameLength;
        this.initialCapacity = initialCapacity;
        this.allocator = allocator;
        this.counters = counters;
        this.buffer = allocator.directBuffer(initialCapacity, initialCapacity);
    }

    /**
     * @return a view of the buffer's free space to read bytes into (at least one byte); valid until the next call on
     * this assembler.
     */
    public ByteBuffer writableBuffer() {
        if (!buffer.isWritable()) {
            makeRoom(buffer.readableBytes() + 1);
        }
        return buffer.internalNioBuffer(buffer.writerIndex(), buffer.writableBytes());
    }

    /**
     * @param count bytes the OS wrote into {@link #writableBuffer()}.
     */
    public void onBytesRead(final int count) {
        buffer.writerIndex(buffer.writerIndex() + count);
    }

    /**
     * Delivers every complete committed frame in the buffer, in stream order.
     *
     * @param listener receives each frame; exceptions it throws propagate (the assembler stays consistent: the
     *                 frame counts as consumed).
     * @return {@link #OK} or {@link #MALFORMED}.
     */
    public int deliver(final FrameListener listener) {
        while (true) {
            final int start = buffer.readerIndex();
            final int readable = buffer.readableBytes();
            if (state == STATE_HELLO) {
                if (readable < PipeHelloDescriptor.LENGTH) {
                    break;
                }
                final String problem = PipeHelloDescriptor.check(buffer, start, nodeId);
                if (problem != null) {
                    malformedReason = problem;
                    return MALFORMED;
                }
                buffer.readerIndex(start + PipeHelloDescriptor.LENGTH);
                state = STATE_PREFIX;
            } else if (state == STATE_PREFIX) {
                if (readable < PREFIX_LENGTH) {
                    break;
                }
                final int length = buffer.getIntLE(start + LENGTH_OFFSET);
                if (length < 0 || length > MAX_FRAME_LENGTH) {
                    malformedReason = "frame length beyond the maximum any writer sends: length="
                        + Integer.toUnsignedString(length) + ", protocolMaximum=" + MAX_FRAME_LENGTH
                        + ", maxFrameLength=" + maxFrameLength;
                    return MALFORMED;
                }
                frameLength = length;
                if (length > maxFrameLength) {
                    // A writer whose own limit is larger: skip this record, keep the frames around it.
                    buffer.readerIndex(start + PREFIX_LENGTH);
                    skipRemaining = length;
                    if (firstOversizeLength == 0) {
                        firstOversizeLength = length;
                    }
                    state = STATE_SKIP;
                } else {
                    state = STATE_BODY;
                }
            } else if (state == STATE_SKIP) {
                if (skipRemaining > 0) {
                    final int skipped = Math.min(readable, skipRemaining);
                    buffer.readerIndex(start + skipped);
                    skipRemaining -= skipped;
                    if (skipRemaining > 0) {
                        break;
                    }
                    continue;
                }
                if (readable < TRAILER_LENGTH) {
                    break;
                }
                final byte status = buffer.readByte();
                state = STATE_PREFIX;
                if (status == STATUS_COMMIT) {
                    oversizeFramesDropped++;
                    counters.onOversizeFrameDropped();
                } else if (status == STATUS_ABORT) {
                    counters.onAbortedFrame();
                } else {
                    malformedReason = "bad record status: status=" + status + ", frameLength=" + frameLength;
                    return MALFORMED;
                }
            } else {
                final int recordLength = recordLength(frameLength);
                if (readable < recordLength) {
                    if (buffer.capacity() - start < recordLength) {
                        makeRoom(recordLength);
                    }
                    break;
                }
                final byte status = buffer.getByte(start + statusOffset(frameLength));
                buffer.readerIndex(start + recordLength);
                state = STATE_PREFIX;
                if (recordLength > initialCapacity) {
                    sinceLargeRecord = 0;
                } else {
                    sinceLargeRecord++;
                }
                if (status == STATUS_COMMIT) {
                    final ByteBuf delivering = buffer;
                    // A retained slice of a pooled buffer is itself recycled (released below), so steady-state
                    // receiving allocates nothing; a plain slice() would be a new object per frame.
                    final ByteBuf frame = delivering.retainedSlice(start + FRAME_OFFSET, frameLength);
                    try {
                        listener.onFrame(frame);
                    } finally {
                        frame.release();
                        if (delivering.refCnt() != 1) {
                            // The listener kept a retained slice: never write over bytes it still reads.
                            replaceBuffer(Math.max(initialCapacity, delivering.readableBytes()));
                        }
                    }
                } else if (status == STATUS_ABORT) {
                    counters.onAbortedFrame();
                } else {
                    malformedReason = "bad record status: status=" + status + ", frameLength=" + frameLength;
                    return MALFORMED;
                }
            }
        }
        compactIfUseful();
        return OK;
    }

    /**
     * @return {@code true} if the stream stopped inside the hello or a record: a frame was cut off.
     */
    public boolean hasPartialRecord() {
        return state == STATE_BODY || state == STATE_SKIP || buffer.isReadable();
    }

    /**
     * @return committed frames beyond this inbox's maximum that were skipped on this connection.
     */
    public long oversizeFramesDropped() {
        return oversizeFramesDropped;
    }

    /**
     * @return the length of the first frame on this connection that was skipped (or is being skipped) for being
     * beyond the maximum; 0 if none.
     */
    public int firstOversizeLength() {
        return firstOversizeLength;
    }

    /**
     * @return why {@link #deliver} returned {@link #MALFORMED}, or {@code null}.
     */
    public String malformedReason() {
        return malformedReason;
    }

    /**
     * @return the buffer's current capacity (for tests of the memory bound).
     */
    public int capacity() {
        return buffer.capacity();
    }

    /**
     * Releases the buffer. Idempotent.
     */
    @Override
    public void close() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    private void compactIfUseful() {
        if (!buffer.isReadable()) {
            buffer.clear();
            if (buffer.capacity() > initialCapacity && sinceLargeRecord >= SHRINK_AFTER) {
                replaceBuffer(initialCapacity);
            }
        } else if (buffer.writableBytes() < buffer.capacity() / 8) {
            buffer.discardReadBytes();
        }
    }

    /**
     * Ensures {@code needed} bytes fit from the reader index; {@code needed} is at most the largest record allowed,
     * because callers pass either a checked record length or the bytes already held plus one.
     */
    private void makeRoom(final int needed) {
        if (buffer.readerIndex() > 0) {
            buffer.discardReadBytes();
        }
        if (buffer.capacity() < needed) {
            final int limit = recordLength(maxFrameLength);
            final int wanted = Math.min(limit, Math.max(needed, Math.min(limit, buffer.capacity() * 2)));
            replaceBuffer(Math.max(wanted, needed));
        }
    }

    private void replaceBuffer(final int capacity) {
        final ByteBuf old = buffer;
        final ByteBuf fresh = allocator.directBuffer(capacity, capacity);
        fresh.writeBytes(old, old.readerIndex(), old.readableBytes());
        buffer = fresh;
        old.release();
    }
}
