// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import dev.ipcbus.FrameFormatException;
import dev.ipcbus.IncompatibleVersionException;
import dev.ipcbus.Topics;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.ipcbus.frame.FrameDescriptor.*;

/**
 * A reusable view over one frame in a {@link ByteBuf}: {@link #wrap(ByteBuf)} validates every field against the
 * frame's bounds and keeps the fixed-size fields it checked (type, flags, content type, lengths); the other getters
 * read in place without copying. {@code wrap} checks the topic's length only; the topic's rules (well-formed UTF-8,
 * {@link Topics}) are checked by {@link #decodeTopic(byte[])}, which a receiver calls once per distinct topic.
 * <p>
 * <b>Ownership:</b> borrows the buffer; the view is valid only while the buffer is.
 * <b>Thread safety:</b> not thread-safe; confine to one thread (one per receive loop).
 */
public final class FrameFlyweight {
    private ByteBuf buffer;
    private int offset;
    // The fields wrap() checked, decoded once from the prefix word and the optional fields.
    private byte type;
    private byte flags;
    private byte contentType;
    private int frameLength;
    private int headerLength;
    private int topicLength;
    private int headersLength;

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
        if (available >= Integer.BYTES && frame.getIntLE(start) == V1_MAGIC) {
            throw new IncompatibleVersionException("incompatible frame version: major=1 (a protocol 1 frame, magic"
                + " \"IPCB\"), supported=" + MAJOR_VERSION);
        }
        if (available < FIXED_LENGTH) {
            throw new FrameFormatException("truncated frame: length=" + available + ", fixedLength=" + FIXED_LENGTH);
        }
        // One read covers every fixed field but the sender: versions, type, flags, content type, topic length.
        final long prefix = frame.getLongLE(start + PREFIX_WORD_OFFSET);
        final int major = FrameDescriptor.majorVersion(prefix);
        if (major != MAJOR_VERSION) {
            throw new IncompatibleVersionException("incompatible frame version: major=" + (major & 0xFF)
                + ", minor=" + (FrameDescriptor.minorVersion(prefix) & 0xFF) + ", supported=" + MAJOR_VERSION);
        }
        final byte frameType = FrameDescriptor.type(prefix);
        if (frameType < TYPE_PUBLISH || frameType > TYPE_ERROR_REPLY) {
            throw new FrameFormatException("bad frame type: type=" + frameType);
        }
        final byte frameFlags = FrameDescriptor.flags(prefix);
        final int header = FrameDescriptor.headerLength(frameType, frameFlags);
        final int topic = FrameDescriptor.topicLength(prefix);
        if (topic == 0) {
            throw new FrameFormatException("bad topic length: topicLength=0");
        }
        if (header + topic > available) {
            throw new FrameFormatException("frame shorter than its header and topic: length=" + available
                + ", headerLength=" + header + ", topicLength=" + topic);
        }
        final byte content = FrameDescriptor.contentType(prefix);
        if (content != CONTENT_TYPE_RAW && content != CONTENT_TYPE_JSON) {
            throw new FrameFormatException("bad content type: contentType=" + content);
        }
        int headers = 0;
        if ((frameFlags & FLAG_HEADERS) != 0) {
            headers = frame.getUnsignedShortLE(start + FrameDescriptor.headersLengthOffset(frameType, frameFlags));
            if (header + topic + headers > available) {
                throw new FrameFormatException("headers overrun the frame: length=" + available + ", headerLength="
                    + header + ", topicLength=" + topic + ", headersLength=" + headers);
            }
            if (headers != 0) {
                checkHeaders(frame, start + header + topic, headers);
            }
        }
        this.buffer = frame;
        this.offset = start;
        this.type = frameType;
        this.flags = frameFlags;
        this.contentType = content;
        this.frameLength = available;
        this.headerLength = header;
        this.topicLength = topic;
        this.headersLength = headers;
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
        return type;
    }

    /**
     * @return the flags byte.
     */
    public byte flags() {
        return flags;
    }

    /**
     * @return the content type, one of the {@code CONTENT_TYPE_*} constants.
     */
    public byte contentType() {
        return contentType;
    }

    /**
     * @return the frame length: the bytes wrapped, header included.
     */
    public int frameLength() {
        return frameLength;
    }

    /**
     * @return the sender node id.
     */
    public long sender() {
        return buffer.getLongLE(offset + SENDER_OFFSET);
    }

    /**
     * @return the destination node id, 0 for a publish (which has no such field).
     */
    public long destination() {
        return type == TYPE_PUBLISH ? 0 : buffer.getLongLE(offset + DESTINATION_OFFSET);
    }

    /**
     * @return the correlation id, 0 for a publish (which has no such field).
     */
    public long correlationId() {
        return type == TYPE_PUBLISH ? 0 : buffer.getLongLE(offset + CORRELATION_ID_OFFSET);
    }

    /**
     * @return the sender's timestamp in nanoseconds since the epoch, 0 if the frame carries none.
     */
    public long timestamp() {
        return (flags & FLAG_TIMESTAMP) == 0 ? 0 : buffer.getLongLE(offset + FrameDescriptor.timestampOffset(type));
    }

    /**
     * @return the header's length: where the topic starts, relative to the frame.
     */
    public int headerLength() {
        return headerLength;
    }

    /**
     * @return the absolute index of the topic's first byte.
     */
    public int topicOffset() {
        return offset + headerLength;
    }

    /**
     * @return the topic's length in bytes.
     */
    public int topicLength() {
        return topicLength;
    }

    /**
     * @return the topic, decoded leniently (malformed UTF-8 replaced, rules not checked; allocates). The core uses a
     * cache of {@link #decodeTopic(byte[])} results instead.
     */
    public String topic() {
        return buffer.toString(topicOffset(), topicLength(), StandardCharsets.UTF_8);
    }

    /**
     * Decodes a received topic and checks it against the rules a sender must follow: well-formed UTF-8 and a valid
     * topic by {@link Topics#validateTopic(String)} (non-empty tokens, no whitespace, control characters or
     * wildcards). Allocates: call it once per distinct topic, not per frame.
     *
     * @param utf8 the topic's bytes as received.
     * @return the topic.
     * @throws FrameFormatException naming the problem if the bytes are not a valid topic.
     */
    public static String decodeTopic(final byte[] utf8) {
        final String topic;
        try {
            topic = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (final CharacterCodingException ex) {
            throw new FrameFormatException("bad topic: not UTF-8: topicLength=" + utf8.length + ", topic="
                + new String(utf8, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}\\x{FFFD}]", "?"), ex);
        }
        try {
            Topics.validateTopic(topic);
        } catch (final IllegalArgumentException ex) {
            throw new FrameFormatException("bad topic: " + ex.getMessage(), ex);
        }
        return topic;
    }

    /**
     * @return the headers section's length in bytes.
     */
    public int headersLength() {
        return headersLength;
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
        return offset + headerLength + topicLength + headersLength;
    }

    /**
     * @return the payload's length in bytes.
     */
    public int payloadLength() {
        return frameLength - headerLength - topicLength - headersLength;
    }
}
