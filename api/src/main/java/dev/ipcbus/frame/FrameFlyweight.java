package dev.ipcbus.frame;

import dev.ipcbus.FrameFormatException;
import dev.ipcbus.IncompatibleVersionException;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.ipcbus.frame.FrameDescriptor.*;

/**
 * A reusable view over one frame in a {@link ByteBuf}: {@link #wrap(ByteBuf)} validates every field against the
 * frame's bounds, then the getters read fields in place without copying.
 * <p>
 * <b>Ownership:</b> borrows the buffer; the view is valid only while the buffer is.
 * <b>Thread safety:</b> not thread-safe; confine to one thread (one per receive loop).
 */
public final class FrameFlyweight {
    private ByteBuf buffer;
    private int offset;

    /**
     * Wraps the readable bytes of {@code frame} after checking that they are exactly one valid frame.
     *
     * @param frame the frame's bytes (reader index to writer index); not modified.
     * @return this view.
     * @throws FrameFormatException         if a field is out of bounds or inconsistent; the message names it.
     * @throws IncompatibleVersionException if the major version is not {@link FrameDescriptor#MAJOR_VERSION}.
     */
    public FrameFlyweight wrap(final ByteBuf frame) {
        final int start = frame.readerIndex();
        final int available = frame.readableBytes();
        if (available < HEADER_LENGTH) {
            throw new FrameFormatException("truncated frame: length=" + available + ", headerLength=" + HEADER_LENGTH);
        }
        final int magic = frame.getIntLE(start + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new FrameFormatException("bad frame magic: magic=0x" + Integer.toHexString(magic)
                + ", expected=0x" + Integer.toHexString(MAGIC));
        }
        final int major = frame.getByte(start + MAJOR_VERSION_OFFSET);
        if (major != MAJOR_VERSION) {
            throw new IncompatibleVersionException("incompatible frame version: major=" + major
                + ", minor=" + frame.getByte(start + MINOR_VERSION_OFFSET) + ", supported=" + MAJOR_VERSION);
        }
        final int type = frame.getByte(start + TYPE_OFFSET);
        if (type < TYPE_PUBLISH || type > TYPE_ERROR_REPLY) {
            throw new FrameFormatException("bad frame type: type=" + type);
        }
        final long frameLength = frame.getUnsignedIntLE(start + FRAME_LENGTH_OFFSET);
        if (frameLength != available) {
            throw new FrameFormatException("frame length mismatch: frameLength=" + frameLength
                + ", received=" + available);
        }
        final int topicLength = frame.getUnsignedShortLE(start + TOPIC_LENGTH_OFFSET);
        if (topicLength == 0 || topicLength > MAX_TOPIC_LENGTH) {
            throw new FrameFormatException("bad topic length: topicLength=" + topicLength
                + ", max=" + MAX_TOPIC_LENGTH);
        }
        final long headersLength = frame.getUnsignedIntLE(start + HEADERS_LENGTH_OFFSET);
        if (headersLength > MAX_HEADERS_LENGTH) {
            throw new FrameFormatException("bad headers length: headersLength=" + headersLength
                + ", max=" + MAX_HEADERS_LENGTH);
        }
        final long payloadLength = frame.getUnsignedIntLE(start + PAYLOAD_LENGTH_OFFSET);
        if (HEADER_LENGTH + topicLength + headersLength + payloadLength != frameLength) {
            throw new FrameFormatException("section lengths do not add up: frameLength=" + frameLength
                + ", topicLength=" + topicLength + ", headersLength=" + headersLength
                + ", payloadLength=" + payloadLength);
        }
        final int contentType = frame.getByte(start + CONTENT_TYPE_OFFSET);
        if (contentType != CONTENT_TYPE_RAW && contentType != CONTENT_TYPE_JSON) {
            throw new FrameFormatException("bad content type: contentType=" + contentType);
        }
        if (headersLength != 0) {
            checkHeaders(frame, start + HEADER_LENGTH + topicLength, (int)headersLength);
        }
        this.buffer = frame;
        this.offset = start;
        return this;
    }

    private static void checkHeaders(final ByteBuf frame, final int start, final int length) {
        if (length < Short.BYTES) {
            throw new FrameFormatException("truncated headers: headersLength=" + length);
        }
        final int count = frame.getUnsignedShortLE(start);
        int position = start + Short.BYTES;
        final int end = start + length;
        for (int i = 0; i < count * 2; i++) {
            if (position + Short.BYTES > end) {
                throw new FrameFormatException("truncated headers: entry=" + (i / 2) + ", count=" + count);
            }
            final int fieldLength = frame.getUnsignedShortLE(position);
            position += Short.BYTES + fieldLength;
            if (position > end) {
                throw new FrameFormatException("header field overruns section: entry=" + (i / 2)
                    + ", fieldLength=" + fieldLength + ", headersLength=" + length);
            }
        }
        if (position != end) {
            throw new FrameFormatException("trailing bytes in headers: count=" + count + ", used="
                + (position - start) + ", headersLength=" + length);
        }
    }

    /**
     * @return the underlying buffer.
     */
    public ByteBuf buffer() {
        return buffer;
    }

    /**
     * @return the frame type, one of the {@code TYPE_*} constants.
     */
    public byte type() {
        return buffer.getByte(offset + TYPE_OFFSET);
    }

    /**
     * @return the flags byte.
     */
    public byte flags() {
        return buffer.getByte(offset + FLAGS_OFFSET);
    }

    /**
     * @return the content type, one of the {@code CONTENT_TYPE_*} constants.
     */
    public byte contentType() {
        return buffer.getByte(offset + CONTENT_TYPE_OFFSET);
    }

    /**
     * @return the frame length, header included.
     */
    public int frameLength() {
        return buffer.getIntLE(offset + FRAME_LENGTH_OFFSET);
    }

    /**
     * @return the sender node id.
     */
    public long sender() {
        return buffer.getLongLE(offset + SENDER_OFFSET);
    }

    /**
     * @return the destination node id, 0 for a publish.
     */
    public long destination() {
        return buffer.getLongLE(offset + DESTINATION_OFFSET);
    }

    /**
     * @return the correlation id, 0 for a publish.
     */
    public long correlationId() {
        return buffer.getLongLE(offset + CORRELATION_ID_OFFSET);
    }

    /**
     * @return the sender's timestamp in nanoseconds since the epoch.
     */
    public long timestamp() {
        return buffer.getLongLE(offset + TIMESTAMP_OFFSET);
    }

    /**
     * @return the absolute index of the topic's first byte.
     */
    public int topicOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return the topic's length in bytes.
     */
    public int topicLength() {
        return buffer.getUnsignedShortLE(offset + TOPIC_LENGTH_OFFSET);
    }

    /**
     * @return the topic, decoded (allocates; the core uses a cache instead).
     */
    public String topic() {
        return buffer.toString(topicOffset(), topicLength(), StandardCharsets.UTF_8);
    }

    /**
     * @return the headers section's length in bytes.
     */
    public int headersLength() {
        return buffer.getIntLE(offset + HEADERS_LENGTH_OFFSET);
    }

    /**
     * @return the headers, decoded into a new unmodifiable map in wire order; empty if there are none.
     */
    public Map<String, String> headers() {
        final int length = headersLength();
        if (length == 0) {
            return Map.of();
        }
        int position = topicOffset() + topicLength();
        final int count = buffer.getUnsignedShortLE(position);
        position += Short.BYTES;
        final Map<String, String> headers = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            final int keyLength = buffer.getUnsignedShortLE(position);
            final String key = buffer.toString(position + Short.BYTES, keyLength, StandardCharsets.UTF_8);
            position += Short.BYTES + keyLength;
            final int valueLength = buffer.getUnsignedShortLE(position);
            final String value = buffer.toString(position + Short.BYTES, valueLength, StandardCharsets.UTF_8);
            position += Short.BYTES + valueLength;
            headers.put(key, value);
        }
        return Collections.unmodifiableMap(headers);
    }

    /**
     * @return the absolute index of the payload's first byte.
     */
    public int payloadOffset() {
        return topicOffset() + topicLength() + headersLength();
    }

    /**
     * @return the payload's length in bytes.
     */
    public int payloadLength() {
        return buffer.getIntLE(offset + PAYLOAD_LENGTH_OFFSET);
    }
}
