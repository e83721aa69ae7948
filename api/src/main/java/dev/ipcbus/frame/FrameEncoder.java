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
 * Writes frames: {@link #begin} writes the header, the topic and the headers section; the caller appends the payload.
 * A frame has no length field: it ends where the caller stops writing, and the transport carries that length.
 * <pre>{@code
 * int start = FrameEncoder.begin(buf, TYPE_PUBLISH, 0, CONTENT_TYPE_JSON, sender, 0, 0, now, topicUtf8, headers);
 * codec.encode(value, buf);
 * int frameLength = buf.writerIndex() - start;
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
     * @param flags         {@link FrameDescriptor#FLAG_NO_RESPONDER} or 0; the timestamp and headers flags are set
     *                      here.
     * @param contentType   a {@code CONTENT_TYPE_*} constant.
     * @param sender        the sending node.
     * @param destination   the destination node; not written for a publish.
     * @param correlationId the correlation id; not written for a publish.
     * @param timestamp     nanoseconds since the epoch; 0 leaves the field out.
     * @param topicUtf8     the validated topic's UTF-8 bytes.
     * @param headers       headers, may be empty (then the section is left out).
     * @return the frame's start index.
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
        final int allFlags = flags | (timestamp != 0 ? FLAG_TIMESTAMP : 0) | (headers.isEmpty() ? 0 : FLAG_HEADERS);
        final int headerLength = headerLength(type, allFlags);
        out.ensureWritable(headerLength + topicUtf8.length);
        writeHeader(out, start, type, allFlags, contentType, sender, destination, correlationId, timestamp,
            topicUtf8);
        out.writerIndex(start + headerLength + topicUtf8.length);
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
            out.setShortLE(start + headersLengthOffset(type, allFlags), headersLength);
        }
        return start;
    }

    /**
     * Writes a frame's header (a headers length of 0 if flagged) and its topic at an absolute index; moves neither
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
        // The prefix word ends with the sender's low two bytes; the sender's own store rewrites them, all 8 bytes.
        out.setLongLE(index + PREFIX_WORD_OFFSET, prefixWord(type, flags, contentType, topicUtf8.length, sender));
        out.setLongLE(index + SENDER_OFFSET, sender);
        if (type != TYPE_PUBLISH) {
            out.setLongLE(index + DESTINATION_OFFSET, destination);
            out.setLongLE(index + CORRELATION_ID_OFFSET, correlationId);
        }
        if ((flags & FLAG_TIMESTAMP) != 0) {
            out.setLongLE(index + timestampOffset(type), timestamp);
        }
        if ((flags & FLAG_HEADERS) != 0) {
            out.setShortLE(index + headersLengthOffset(type, flags), 0);
        }
        out.setBytes(index + headerLength(type, flags), topicUtf8);
    }

    /**
     * Encodes the part of a publish frame that stays the same from message to message of one sender on one topic:
     * the header (with a zero timestamp if {@code timestamped}), then the topic. A sender copies it in front of each
     * payload and, if it stamps frames, writes the timestamp at {@link FrameDescriptor#timestampOffset}.
     *
     * @param contentType a {@code CONTENT_TYPE_*} constant.
     * @param sender      the sending node.
     * @param timestamped whether the frames carry a timestamp ({@link FrameDescriptor#FLAG_TIMESTAMP}).
     * @param topicUtf8   the validated topic's UTF-8 bytes.
     * @return the header and topic bytes.
     */
    public static byte[] publishTemplate(final byte contentType, final long sender, final boolean timestamped,
        final byte[] topicUtf8) {
        final int flags = timestamped ? FLAG_TIMESTAMP : 0;
        final byte[] template = new byte[headerLength(TYPE_PUBLISH, flags) + topicUtf8.length];
        writeHeader(Unpooled.wrappedBuffer(template), 0, TYPE_PUBLISH, flags, contentType, sender, 0, 0, 0,
            topicUtf8);
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
     * @param topic a topic.
     * @return its UTF-8 bytes.
     */
    public static byte[] utf8(final String topic) {
        return topic.getBytes(StandardCharsets.UTF_8);
    }
}
