package dev.ipcbus.internal;

import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.spi.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;

import static dev.ipcbus.frame.FrameDescriptor.HEADER_LENGTH;

/**
 * The frame one thread is sending from one node, in one of two forms:
 * <ul>
 *   <li><b>raw</b> ({@link #raw}): header fields, topic and a borrowed payload of known length. As a
 *   {@link FrameWriter} it encodes itself straight into an outlet that writes in place (the filemap ring): the frame
 *   is written once, into shared memory, and never copied. {@link #encoded()} encodes it into the thread's buffer
 *   for outlets that copy; at most once per frame, however many targets it goes to.</li>
 *   <li><b>encoded</b> ({@link #buffer()} then {@link #encodedIn}): the caller encoded the frame into the thread's
 *   buffer itself (Jackson payloads and headers, whose length is known only once encoded).</li>
 * </ul>
 * It also holds the thread's traffic counter cell, so that a send looks up one thread-local, not two.
 * <p>
 * The buffer is plain direct memory reused for every frame the thread sends, so that sending allocates nothing and
 * takes nothing from a pool in steady state; outlets borrow a frame and are done with it when {@code offer} returns.
 * One that grew past {@value #RETAIN_LIMIT} bytes is dropped after use so that idle threads keep little memory.
 * <p>
 * <b>Thread safety:</b> confined to its thread. A nested send on the same thread (from a callback inside an offer)
 * gets a temporary instance ({@link #isTemporary()}) whose buffer is released after that send.
 */
final class OutgoingFrame implements FrameWriter {
    private static final int INITIAL_CAPACITY = 4096;
    private static final int RETAIN_LIMIT = 1 << 20;

    private final TrafficCounters.Cell traffic;
    private final boolean temporary;
    private ByteBuf buffer;
    private boolean inUse;

    private boolean isRaw;
    private boolean rawEncoded;
    private byte type;
    private byte contentType;
    private long sender;
    private long destination;
    private long correlationId;
    private long timestamp;
    private byte[] topicUtf8;
    private ByteBuf payload;
    private int frameLength;

    OutgoingFrame(final TrafficCounters.Cell traffic, final boolean temporary) {
        this.traffic = traffic;
        this.temporary = temporary;
        this.buffer = newBuffer();
    }

    private static ByteBuf newBuffer() {
        return new UnpooledUnsafeDirectByteBuf(UnpooledByteBufAllocator.DEFAULT, INITIAL_CAPACITY, Integer.MAX_VALUE);
    }

    /**
     * Marks this instance taken by a send; the caller gives it back with {@link #release()}.
     *
     * @return {@code false} if it is taken already (a nested send: use a temporary instance instead).
     */
    boolean acquire() {
        if (inUse) {
            return false;
        }
        inUse = true;
        return true;
    }

    /** Ends the send: drops the borrowed payload, and shrinks or frees the buffer. */
    void release() {
        inUse = false;
        payload = null;
        if (temporary) {
            buffer.release();
        } else if (buffer.capacity() > RETAIN_LIMIT) {
            buffer.release();
            buffer = newBuffer();
        }
    }

    /**
     * @return whether this is a temporary instance for a nested send.
     */
    boolean isTemporary() {
        return temporary;
    }

    /**
     * @return the thread's counter cell for frames sent.
     */
    TrafficCounters.Cell traffic() {
        return traffic;
    }

    /**
     * Sets up a raw frame: no headers section, a payload borrowed until {@link #release()}.
     *
     * @return the frame length, as a {@code long} so that an oversized payload cannot overflow it.
     */
    long raw(
        final byte type,
        final byte contentType,
        final long sender,
        final long destination,
        final long correlationId,
        final long timestamp,
        final byte[] topicUtf8,
        final ByteBuf payload) {
        final long length = (long)HEADER_LENGTH + topicUtf8.length + payload.readableBytes();
        this.isRaw = true;
        this.rawEncoded = false;
        this.type = type;
        this.contentType = contentType;
        this.sender = sender;
        this.destination = destination;
        this.correlationId = correlationId;
        this.timestamp = timestamp;
        this.topicUtf8 = topicUtf8;
        this.payload = payload;
        this.frameLength = length > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)length;
        return length;
    }

    /**
     * @return the empty buffer to encode a frame in; then call {@link #encodedIn}.
     */
    ByteBuf buffer() {
        return buffer.clear();
    }

    /**
     * Marks the frame as encoded by the caller in {@link #buffer()}, from its reader to its writer index.
     */
    void encodedIn() {
        isRaw = false;
        frameLength = buffer.readableBytes();
    }

    /**
     * @return whether the frame can be written in place by an outlet ({@link #writeFrame}).
     */
    boolean isRaw() {
        return isRaw;
    }

    /**
     * @return the frame's length in bytes.
     */
    int frameLength() {
        return frameLength;
    }

    /**
     * @return the frame as bytes in the thread's buffer (a raw frame is encoded there on the first call).
     */
    ByteBuf encoded() {
        if (isRaw && !rawEncoded) {
            buffer.clear().ensureWritable(frameLength);
            writeFrame(buffer, 0);
            buffer.writerIndex(frameLength);
            rawEncoded = true;
        }
        return buffer;
    }

    @Override
    public void writeFrame(final ByteBuf out, final int index) {
        final int payloadLength = payload.readableBytes();
        final int payloadAt = FrameEncoder.writeHeader(out, index, type, 0, contentType, sender, destination,
            correlationId, timestamp, topicUtf8, 0, payloadLength);
        out.setBytes(payloadAt, payload, payload.readerIndex(), payloadLength);
    }
}
