// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import dev.ipcbus.ConfigurationException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.ipcbus.frame.FrameDescriptor.*;

/**
 * Writes frames: {@link #begin} writes the header and the topic and headers sections, the caller appends the payload,
 * and {@link #finish} fills in the payload and frame lengths.
 * <pre>{@code
 * int start = FrameEncoder.begin(buf, TYPE_PUBLISH, 0, CONTENT_TYPE_JSON, sender, 0, 0, now, topicUtf8, headers);
 * codec.encode(value, buf);
 * FrameEncoder.finish(buf, start);
 * }</pre>
 * <b>Thread safety:</b> stateless; safe for concurrent use on distinct buffers.
 */
public final class FrameEncoder {
    private FrameEncoder() {
    }

    /**
     * Appends a frame header, the topic and the headers section at the buffer's writer index.
     *
     * @param out           the buffer; its writer index advances.
     * @param type          a {@code TYPE_*} constant.
     * @param flags         flags, e.g. {@link FrameDescriptor#FLAG_NO_RESPONDER}.
     * @param contentType   a {@code CONTENT_TYPE_*} constant.
     * @param sender        the sending node.
     * @param destination   the destination node, 0 for a publish.
     * @param correlationId the correlation id, 0 for a publish.
     * @param timestamp     nanoseconds since the epoch.
     * @param topicUtf8     the validated topic's UTF-8 bytes.
     * @param headers       headers, may be empty.
     * @return the frame's start index, to pass to {@link #finish}.
     * @throws ConfigurationException if the headers section would exceed
     *                                {@link FrameDescriptor#MAX_HEADERS_LENGTH} or a key or value exceeds 65535 bytes.
     */
    public static int begin(
        final ByteBuf out,
        final byte type,
        final int flags,
        final byte contentType,
        final long sender,
        final long destination,
        final long correlationId,
        final long timestamp,
        final byte[] topicUtf8,
        final Map<String, String> headers) {
        final int start = out.writerIndex();
        out.ensureWritable(HEADER_LENGTH + topicUtf8.length);
        writeHeader(out, start, type, flags, contentType, sender, destination, correlationId, timestamp, topicUtf8);
        out.writerIndex(start + HEADER_LENGTH + topicUtf8.length);
        if (!headers.isEmpty()) {
            final int headersStart = out.writerIndex();
            out.writeShortLE(headers.size());
            for (final Map.Entry<String, String> header : headers.entrySet()) {
                writeString(out, header.getKey());
                writeString(out, header.getValue());
            }
            final int headersLength = out.writerIndex() - headersStart;
            if (headersLength > MAX_HEADERS_LENGTH) {
                out.writerIndex(start);
                throw new ConfigurationException("headers too large: headersLength=" + headersLength
                    + ", max=" + MAX_HEADERS_LENGTH);
            }
            out.setIntLE(start + HEADERS_LENGTH_OFFSET, headersLength);
        }
        return start;
    }

    /**
     * Writes a frame's fixed header, with zero section lengths, and its topic at an absolute index; moves neither
     * index of {@code out}.
     */
    private static void writeHeader(
        final ByteBuf out,
        final int index,
        final byte type,
        final int flags,
        final byte contentType,
        final long sender,
        final long destination,
        final long correlationId,
        final long timestamp,
        final byte[] topicUtf8) {
        // Eight bytes at a time: the header is seven little-endian longs (see FrameDescriptor's diagram).
        out.setLongLE(index + VERSION_WORD_OFFSET, versionWord(type, flags));
        writeLengths(out, index, topicUtf8.length, contentType, 0, 0);
        out.setLongLE(index + SENDER_OFFSET, sender);
        out.setLongLE(index + DESTINATION_OFFSET, destination);
        out.setLongLE(index + CORRELATION_ID_OFFSET, correlationId);
        out.setLongLE(index + TIMESTAMP_OFFSET, timestamp);
        out.setBytes(index + HEADER_LENGTH, topicUtf8);
    }

    /**
     * Writes the two header words that hold the lengths: frame length, topic length and content type; headers length
     * and payload length.
     *
     * @param out           the buffer holding the frame's header at {@code index}; its indexes do not move.
     * @param index         the frame's first byte.
     * @param topicLength   the topic's length in bytes.
     * @param contentType   a {@code CONTENT_TYPE_*} constant.
     * @param headersLength the headers section's length.
     * @param payloadLength the payload's length.
     */
    public static void writeLengths(
        final ByteBuf out,
        final int index,
        final int topicLength,
        final byte contentType,
        final int headersLength,
        final int payloadLength) {
        final int frameLength = HEADER_LENGTH + topicLength + headersLength + payloadLength;
        out.setLongLE(index + LENGTH_WORD_OFFSET, lengthWord(frameLength, topicLength, contentType));
        out.setLongLE(index + SECTION_WORD_OFFSET, sectionWord(headersLength, payloadLength));
    }

    /**
     * Encodes the part of a publish frame that stays the same from message to message of one sender on one topic:
     * the header with zero lengths and timestamp, then the topic. A sender copies it in front of each payload and
     * fills in the lengths ({@link #writeLengths}) and, if it stamps frames, the timestamp.
     *
     * @param contentType a {@code CONTENT_TYPE_*} constant.
     * @param sender      the sending node.
     * @param topicUtf8   the validated topic's UTF-8 bytes.
     * @return {@code HEADER_LENGTH + topicUtf8.length} bytes.
     */
    public static byte[] publishTemplate(final byte contentType, final long sender, final byte[] topicUtf8) {
        final byte[] template = new byte[HEADER_LENGTH + topicUtf8.length];
        final ByteBuf out = Unpooled.wrappedBuffer(template);
        writeHeader(out, 0, TYPE_PUBLISH, 0, contentType, sender, 0, 0, 0, topicUtf8);
        return template;
    }

    private static void writeString(final ByteBuf out, final String value) {
        final int lengthIndex = out.writerIndex();
        out.writeShortLE(0);
        final int length = ByteBufUtil.writeUtf8(out, value);
        if (length > 0xFFFF) {
            throw new ConfigurationException("header too long: length=" + length + ", max=65535");
        }
        out.setShortLE(lengthIndex, length);
    }

    /**
     * Completes a frame whose payload has been appended: sets the payload and frame lengths.
     *
     * @param out   the buffer holding the frame, ending at its writer index.
     * @param start the index {@link #begin} returned.
     * @return the frame length.
     */
    public static int finish(final ByteBuf out, final int start) {
        final int frameLength = out.writerIndex() - start;
        final int topicLength = out.getUnsignedShortLE(start + TOPIC_LENGTH_OFFSET);
        final int headersLength = out.getIntLE(start + HEADERS_LENGTH_OFFSET);
        out.setIntLE(start + PAYLOAD_LENGTH_OFFSET, frameLength - HEADER_LENGTH - topicLength - headersLength);
        out.setIntLE(start + FRAME_LENGTH_OFFSET, frameLength);
        return frameLength;
    }

    /**
     * @param topic a topic.
     * @return its UTF-8 bytes.
     */
    public static byte[] utf8(final String topic) {
        return topic.getBytes(StandardCharsets.UTF_8);
    }
}
