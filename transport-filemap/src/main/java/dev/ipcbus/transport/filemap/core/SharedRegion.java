// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one class that reads and writes shared memory: ordered and atomic access to 32- and 64-bit control words, and
 * bulk copies of payload bytes, over one direct (usually memory-mapped) {@link ByteBuffer}.
 * <p>
 * Control words go through {@link MethodHandles#byteBufferViewVarHandle} in little-endian order, whatever the
 * platform. Ordering modes pair up as in the Java memory model: a {@code putXxxRelease} is seen by a
 * {@code getXxxAcquire} of the same word together with every store made before it; {@code xxxVolatile} and the
 * compare-and-set/get-and-add methods are sequentially consistent (a full fence on x86: use them only where a
 * store must be ordered before a later load, as the doorbell's waiting flag needs). Atomic modes need natural
 * alignment: 32-bit words at offsets divisible by 4, 64-bit words at offsets divisible by 8; the buffer's base
 * address is checked to be 8-byte aligned at construction, and a misaligned offset makes the VarHandle throw
 * {@link IllegalStateException}.
 * <p>
 * Payload bytes are copied through a Netty {@link ByteBuf} wrapping the same memory ({@link #putBytes},
 * {@link #setZero}, {@link #newView()}, and {@link #bytes()} for frames written in place); {@code ByteBuf} carries
 * payloads only, never control words.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the methods hold no state besides the buffer, and the memory they
 * touch may be shared with other processes.
 */
public final class SharedRegion {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buffer;
    private final ByteBuf bytes;
    private final int length;

    /**
     * Wraps a direct buffer; offsets are absolute (from index 0, whatever the buffer's position).
     *
     * @param buffer a direct buffer, e.g. from {@code FileChannel.map} or {@code ByteBuffer.allocateDirect}.
     * @throws IllegalArgumentException if the buffer is not direct, is read-only or its address is not 8-byte aligned.
     */
    public SharedRegion(final ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("shared region needs a direct buffer: buffer=" + buffer);
        }
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("shared region needs a writable buffer: buffer=" + buffer);
        }
        final ByteBuffer whole = buffer.duplicate();
        whole.clear();
        if (whole.alignmentOffset(0, Long.BYTES) != 0) {
            throw new IllegalArgumentException("shared region must be 8-byte aligned: alignmentOffset="
                + whole.alignmentOffset(0, Long.BYTES));
        }
        this.buffer = whole;
        this.length = whole.capacity();
        this.bytes = Unpooled.wrappedBuffer(whole.duplicate());
    }

    /**
     * @return the region's length in bytes.
     */
    public int length() {
        return length;
    }

    /**
     * @return the underlying buffer (a duplicate covering the whole region); for OS layers that need its address.
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * The region's shared {@link ByteBuf}, for writing frame bytes in place with absolute-index methods
     * ({@code setXxx}; its indexes are never moved, so concurrent writers of disjoint ranges do not interfere). Never
     * use it for control words.
     *
     * @return the view over the whole region.
     */
    public ByteBuf bytes() {
        return bytes;
    }

    /**
     * Creates a new {@link ByteBuf} over the whole region, with its own indexes, for delivering record bodies
     * without copying. Allocates; call once per reader and reuse.
     *
     * @return a view whose reader and writer indexes the caller moves with {@link ByteBuf#setIndex(int, int)}.
     */
    public ByteBuf newView() {
        return Unpooled.wrappedBuffer(buffer.duplicate());
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @return the 32-bit value, plain read (no ordering).
     */
    public int getInt(final int offset) {
        return (int) INT.get(buffer, offset);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @return the 32-bit value, read with acquire: later reads see what was written before the paired release.
     */
    public int getIntAcquire(final int offset) {
        return (int) INT.getAcquire(buffer, offset);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @return the 32-bit value, volatile read.
     */
    public int getIntVolatile(final int offset) {
        return (int) INT.getVolatile(buffer, offset);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @param value  the value, plain write (no ordering).
     */
    public void putInt(final int offset, final int value) {
        INT.set(buffer, offset, value);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @param value  the value, written with release: every earlier store is visible to a paired acquire first.
     */
    public void putIntRelease(final int offset, final int value) {
        INT.setRelease(buffer, offset, value);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @param value  the value, written atomically with no ordering guarantee besides coherence (opaque).
     */
    public void putIntOpaque(final int offset, final int value) {
        INT.setOpaque(buffer, offset, value);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @param value  the value, volatile write (ordered before any later volatile read: a full fence).
     */
    public void putIntVolatile(final int offset, final int value) {
        INT.setVolatile(buffer, offset, value);
    }

    /**
     * @param offset   byte offset, 4-byte aligned.
     * @param expected the expected value.
     * @param value    the new value.
     * @return whether the word held {@code expected} and now holds {@code value} (volatile semantics).
     */
    public boolean compareAndSetInt(final int offset, final int expected, final int value) {
        return INT.compareAndSet(buffer, offset, expected, value);
    }

    /**
     * @param offset byte offset, 4-byte aligned.
     * @param delta  the amount to add.
     * @return the previous value (volatile semantics).
     */
    public int getAndAddInt(final int offset, final int delta) {
        return (int) INT.getAndAdd(buffer, offset, delta);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @return the 64-bit value, plain read.
     */
    public long getLong(final int offset) {
        return (long) LONG.get(buffer, offset);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @return the 64-bit value, read with acquire.
     */
    public long getLongAcquire(final int offset) {
        return (long) LONG.getAcquire(buffer, offset);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @return the 64-bit value, volatile read.
     */
    public long getLongVolatile(final int offset) {
        return (long) LONG.getVolatile(buffer, offset);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @param value  the value, plain write.
     */
    public void putLong(final int offset, final long value) {
        LONG.set(buffer, offset, value);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @param value  the value, written with release.
     */
    public void putLongRelease(final int offset, final long value) {
        LONG.setRelease(buffer, offset, value);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @param value  the value, written atomically with no ordering guarantee besides coherence (opaque).
     */
    public void putLongOpaque(final int offset, final long value) {
        LONG.setOpaque(buffer, offset, value);
    }

    /**
     * @param offset   byte offset, 8-byte aligned.
     * @param expected the expected value.
     * @param value    the new value.
     * @return whether the word held {@code expected} and now holds {@code value} (volatile semantics).
     */
    public boolean compareAndSetLong(final int offset, final long expected, final long value) {
        return LONG.compareAndSet(buffer, offset, expected, value);
    }

    /**
     * @param offset byte offset, 8-byte aligned.
     * @param delta  the amount to add.
     * @return the previous value (volatile semantics).
     */
    public long getAndAddLong(final int offset, final long delta) {
        return (long) LONG.getAndAdd(buffer, offset, delta);
    }

    /**
     * Orders every load and store before this call ahead of every store after it (a StoreStore and LoadStore
     * barrier; free on x86). Used after marking a record claimed so that the mark is visible before any of its body.
     */
    public static void releaseFence() {
        VarHandle.releaseFence();
    }

    /**
     * Copies payload bytes into the region (plain stores; publish them with a later release store).
     * <p>
     * <b>Ownership:</b> borrows {@code source}; its indexes are left unchanged.
     *
     * @param offset      where to write.
     * @param source      the bytes to copy.
     * @param sourceIndex the first byte of {@code source} to copy.
     * @param count       how many bytes.
     */
    public void putBytes(final int offset, final ByteBuf source, final int sourceIndex, final int count) {
        bytes.setBytes(offset, source, sourceIndex, count);
    }

    /**
     * Copies bytes out of the region into a byte array (plain loads; read after an acquire of the publishing word).
     *
     * @param offset      where to read.
     * @param destination the array.
     * @param index       first index of {@code destination} to fill.
     * @param count       how many bytes.
     */
    public void getBytes(final int offset, final byte[] destination, final int index, final int count) {
        bytes.getBytes(offset, destination, index, count);
    }

    /**
     * @param offset byte offset.
     * @return the byte there, plain read.
     */
    public byte getByte(final int offset) {
        return bytes.getByte(offset);
    }

    /**
     * Fills a range with zeros (plain stores; publish with a later release store).
     *
     * @param offset where to start.
     * @param count  how many bytes.
     */
    public void setZero(final int offset, final int count) {
        bytes.setZero(offset, count);
    }

    @Override
    public String toString() {
        return "SharedRegion{length=" + length + "}";
    }
}
