// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.spi.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;

import static dev.ipcbus.frame.FrameDescriptor.TYPE_PUBLISH;
import static dev.ipcbus.frame.FrameDescriptor.timestampOffset;

/**
 * The frame one thread is sending from one node, in one of two forms:
 * <ul>
 *   <li><b>raw</b> ({@link #rawPublish}): the topic's frame template, a timestamp and a borrowed payload of known
 *   length. As a
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
 * gets a temporary instance whose buffer is released after that send.
 */
final class OutgoingFrame implements FrameWriter {
    private static final int INITIAL_CAPACITY = 4096;
    private static final int RETAIN_LIMIT = 1 << 20;

    private final Thread owner;
    private final TrafficCounters.Cell traffic;
    private final boolean temporary;
    private ByteBuf buffer;
    private boolean inUse;

    private boolean isRaw;
    private boolean rawEncoded;
    private byte[] template;
    private long timestamp;
    private ByteBuf payload;
    private int frameLength;

    /** The last topic this thread published on, by identity (a caller's constant), and its sending state. */
    private String lastTopic;
    private OutgoingTopic lastOutgoingTopic;

    OutgoingFrame(final TrafficCounters.Cell traffic, final boolean temporary) {
        this.owner = Thread.currentThread();
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
        template = null;
        if (temporary) {
            buffer.release();
        } else if (buffer.capacity() > RETAIN_LIMIT) {
            buffer.release();
            buffer = newBuffer();
        }
    }

    /**
     * @return the thread this instance belongs to (final: safe to read from any thread).
     */
    Thread owner() {
        return owner;
    }

    /**
     * @return the thread's counter cell for frames sent.
     */
    TrafficCounters.Cell traffic() {
        return traffic;
    }

    /**
     * @param topic a topic string.
     * @return the sending state of the last topic published on from this thread if it is this very string
     * instance (an identity check: cheaper than a map look-up), else {@code null}.
     */
    OutgoingTopic lastTopic(final String topic) {
        return topic == lastTopic ? lastOutgoingTopic : null;
    }

    /**
     * Remembers a topic's sending state for {@link #lastTopic}.
     */
    void lastTopic(final String topic, final OutgoingTopic outgoingTopic) {
        lastTopic = topic;
        lastOutgoingTopic = outgoingTopic;
    }

    /**
     * Sets up a raw publish frame: the topic's template, a timestamp and a payload borrowed until {@link #release()}.
     *
     * @return the frame length, as a {@code long} so that an oversized payload cannot overflow it.
     */
    long rawPublish(final OutgoingTopic topic, final long timestamp, final ByteBuf payload) {
        final byte[] header = topic.rawPublishTemplate();
        final long length = (long)header.length + payload.readableBytes();
        this.isRaw = true;
        this.rawEncoded = false;
        this.template = header;
        this.timestamp = timestamp;
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
        out.setBytes(index, template);
        if (timestamp != 0) {
            out.setLongLE(index + timestampOffset(TYPE_PUBLISH), timestamp);
        }
        out.setBytes(index + template.length, payload, payload.readerIndex(), payload.readableBytes());
    }
}
