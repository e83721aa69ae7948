// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

/**
 * Layout of an ipcbus frame: the unit every transport carries, one frame per ring record, pipe message or datagram.
 * <p>
 * A fixed 56-byte header, then the topic, the headers section and the payload, with no padding between them:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x42435049 ("IPCB")                    |  0
 *  +---------------+---------------+---------------+-------------+-+
 *  | Major version | Minor version |  Frame type   |  R          |N|  4
 *  +---------------+---------------+---------------+-------------+-+
 *  |                Frame length (header included)                 |  8
 *  +-------------------------------+---------------+---------------+
 *  |          Topic length         | Content type  |   Reserved    | 12
 *  +-------------------------------+---------------+---------------+
 *  |                        Headers length                         | 16
 *  +---------------------------------------------------------------+
 *  |                        Payload length                         | 20
 *  +---------------------------------------------------------------+
 *  |                     Sender node id (64)                       | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Destination node id (64), 0 for a publish            | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Correlation id (64), 0 for a publish                 | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Timestamp, nanoseconds since the epoch (64)        | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Topic: Topic length bytes of UTF-8             ...  56
 *  +---------------------------------------------------------------+
 *  |              Headers: Headers length bytes                  ...
 *  +---------------------------------------------------------------+
 *  |              Payload: Payload length bytes                  ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>Byte order: little-endian for every multi-byte field. No alignment is required of the frame start.</li>
 *   <li>Flags: {@code N} ({@link #FLAG_NO_RESPONDER}) marks an error reply sent because the destination node has no
 *   responder for the topic any more. Bits marked {@code R} are reserved: written as 0, ignored when read.</li>
 *   <li>Frame length = {@link #HEADER_LENGTH} + topic length + headers length + payload length, and equals the bytes
 *   the transport delivered; anything else is a {@link dev.ipcbus.FrameFormatException}.</li>
 *   <li>Topic: 1 to {@link #MAX_TOPIC_LENGTH} bytes of UTF-8, dot-separated tokens.</li>
 *   <li>Headers section: empty, or a 16-bit count followed by that many entries of
 *   {@code (16-bit key length, key UTF-8, 16-bit value length, value UTF-8)}; at most {@link #MAX_HEADERS_LENGTH}
 *   bytes.</li>
 *   <li>Timestamp: 0 when the sender does not stamp frames (bus URI option {@code timestamps=false}).</li>
 *   <li>Content type: {@link #CONTENT_TYPE_RAW} (bytes the application serialized itself) or
 *   {@link #CONTENT_TYPE_JSON}.</li>
 *   <li>Version: a reader refuses a frame whose major version differs from {@link #MAJOR_VERSION}
 *   ({@link dev.ipcbus.IncompatibleVersionException}) and accepts any minor version.</li>
 * </ul>
 */
public final class FrameDescriptor {
    /** "IPCB" read as a little-endian 32-bit integer. */
    public static final int MAGIC = 0x42435049;
    /** Major version: changes only with an incompatible layout. */
    public static final byte MAJOR_VERSION = 1;
    /** Minor version: compatible additions. */
    public static final byte MINOR_VERSION = 0;

    /** Frame type: a published message, delivered to every matching subscriber. */
    public static final byte TYPE_PUBLISH = 1;
    /** Frame type: a request to one responder; correlation id set, reply goes to the sender node. */
    public static final byte TYPE_REQUEST = 2;
    /** Frame type: the reply to a request, same correlation id, destination is the requester. */
    public static final byte TYPE_REPLY = 3;
    /** Frame type: the responder failed; the JSON payload is {@code {"type": "...", "message": "..."}}. */
    public static final byte TYPE_ERROR_REPLY = 4;

    /** Flag on an error reply: the destination node no longer responds to the topic. */
    public static final byte FLAG_NO_RESPONDER = 0x01;

    /** Content type: raw bytes, serialized by the application. */
    public static final byte CONTENT_TYPE_RAW = 0;
    /** Content type: JSON written by Jackson. */
    public static final byte CONTENT_TYPE_JSON = 1;

    /** Largest topic, in UTF-8 bytes. */
    public static final int MAX_TOPIC_LENGTH = 255;
    /** Largest headers section, in bytes. */
    public static final int MAX_HEADERS_LENGTH = 65535;

    /** Offset of the 32-bit magic. */
    public static final int MAGIC_OFFSET;
    /** Offset of the 8-bit major version. */
    public static final int MAJOR_VERSION_OFFSET;
    /** Offset of the 8-bit minor version. */
    public static final int MINOR_VERSION_OFFSET;
    /** Offset of the 8-bit frame type. */
    public static final int TYPE_OFFSET;
    /** Offset of the 8-bit flags. */
    public static final int FLAGS_OFFSET;
    /** Offset of the 32-bit frame length. */
    public static final int FRAME_LENGTH_OFFSET;
    /** Offset of the 16-bit topic length. */
    public static final int TOPIC_LENGTH_OFFSET;
    /** Offset of the 8-bit content type. */
    public static final int CONTENT_TYPE_OFFSET;
    /** Offset of the reserved byte. */
    public static final int RESERVED_OFFSET;
    /** Offset of the 32-bit headers length. */
    public static final int HEADERS_LENGTH_OFFSET;
    /** Offset of the 32-bit payload length. */
    public static final int PAYLOAD_LENGTH_OFFSET;
    /** Offset of the 64-bit sender node id. */
    public static final int SENDER_OFFSET;
    /** Offset of the 64-bit destination node id. */
    public static final int DESTINATION_OFFSET;
    /** Offset of the 64-bit correlation id. */
    public static final int CORRELATION_ID_OFFSET;
    /** Offset of the 64-bit timestamp. */
    public static final int TIMESTAMP_OFFSET;
    /** Length of the fixed header; the topic starts here. */
    public static final int HEADER_LENGTH;

    static {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += Integer.BYTES;
        MAJOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        MINOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        FLAGS_OFFSET = offset;
        offset += Byte.BYTES;
        FRAME_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        TOPIC_LENGTH_OFFSET = offset;
        offset += Short.BYTES;
        CONTENT_TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        RESERVED_OFFSET = offset;
        offset += Byte.BYTES;
        HEADERS_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        PAYLOAD_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        SENDER_OFFSET = offset;
        offset += Long.BYTES;
        DESTINATION_OFFSET = offset;
        offset += Long.BYTES;
        CORRELATION_ID_OFFSET = offset;
        offset += Long.BYTES;
        TIMESTAMP_OFFSET = offset;
        offset += Long.BYTES;
        HEADER_LENGTH = offset;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The first 24 bytes as three little-endian 64-bit words: how the encoder writes and the flyweight reads the header
    // (one access per word instead of one per field). Each shift is the field's byte offset within its word, times 8.

    /** Offset of word 0: magic, major and minor version, frame type, flags. */
    public static final int VERSION_WORD_OFFSET = MAGIC_OFFSET;
    /** Offset of word 1: frame length, topic length, content type, reserved. */
    public static final int LENGTH_WORD_OFFSET = FRAME_LENGTH_OFFSET;
    /** Offset of word 2: headers length, payload length. */
    public static final int SECTION_WORD_OFFSET = HEADERS_LENGTH_OFFSET;

    private static final int MAJOR_VERSION_SHIFT = shift(MAJOR_VERSION_OFFSET, VERSION_WORD_OFFSET);
    private static final int MINOR_VERSION_SHIFT = shift(MINOR_VERSION_OFFSET, VERSION_WORD_OFFSET);
    private static final int TYPE_SHIFT = shift(TYPE_OFFSET, VERSION_WORD_OFFSET);
    private static final int FLAGS_SHIFT = shift(FLAGS_OFFSET, VERSION_WORD_OFFSET);
    private static final int TOPIC_LENGTH_SHIFT = shift(TOPIC_LENGTH_OFFSET, LENGTH_WORD_OFFSET);
    private static final int CONTENT_TYPE_SHIFT = shift(CONTENT_TYPE_OFFSET, LENGTH_WORD_OFFSET);
    private static final int PAYLOAD_LENGTH_SHIFT = shift(PAYLOAD_LENGTH_OFFSET, SECTION_WORD_OFFSET);

    private FrameDescriptor() {
    }

    private static int shift(final int fieldOffset, final int wordOffset) {
        final int shift = (fieldOffset - wordOffset) * Byte.SIZE;
        if (shift < 0 || shift >= Long.SIZE) {
            throw new ExceptionInInitializerError("frame field outside its header word: offset=" + fieldOffset
                + ", word=" + wordOffset);
        }
        return shift;
    }

    /**
     * @param type  a {@code TYPE_*} constant.
     * @param flags the flags byte.
     * @return word 0 with {@link #MAGIC} and this build's {@link #MAJOR_VERSION} and {@link #MINOR_VERSION}.
     */
    public static long versionWord(final byte type, final int flags) {
        return (MAGIC & 0xFFFFFFFFL) | (MAJOR_VERSION & 0xFFL) << MAJOR_VERSION_SHIFT
            | (MINOR_VERSION & 0xFFL) << MINOR_VERSION_SHIFT | (type & 0xFFL) << TYPE_SHIFT
            | (flags & 0xFFL) << FLAGS_SHIFT;
    }

    /**
     * @param frameLength the whole frame's length.
     * @param topicLength the topic's length.
     * @param contentType a {@code CONTENT_TYPE_*} constant.
     * @return word 1, reserved byte 0.
     */
    public static long lengthWord(final int frameLength, final int topicLength, final byte contentType) {
        return (frameLength & 0xFFFFFFFFL) | (topicLength & 0xFFFFL) << TOPIC_LENGTH_SHIFT
            | (contentType & 0xFFL) << CONTENT_TYPE_SHIFT;
    }

    /**
     * @param headersLength the headers section's length.
     * @param payloadLength the payload's length.
     * @return word 2.
     */
    public static long sectionWord(final int headersLength, final int payloadLength) {
        return (headersLength & 0xFFFFFFFFL) | (payloadLength & 0xFFFFFFFFL) << PAYLOAD_LENGTH_SHIFT;
    }

    /** @param versionWord word 0. @return the 32-bit magic. */
    public static int magic(final long versionWord) {
        return (int)versionWord;
    }

    /** @param versionWord word 0. @return the major version. */
    public static byte majorVersion(final long versionWord) {
        return (byte)(versionWord >>> MAJOR_VERSION_SHIFT);
    }

    /** @param versionWord word 0. @return the minor version. */
    public static byte minorVersion(final long versionWord) {
        return (byte)(versionWord >>> MINOR_VERSION_SHIFT);
    }

    /** @param versionWord word 0. @return the frame type. */
    public static byte type(final long versionWord) {
        return (byte)(versionWord >>> TYPE_SHIFT);
    }

    /** @param versionWord word 0. @return the flags. */
    public static byte flags(final long versionWord) {
        return (byte)(versionWord >>> FLAGS_SHIFT);
    }

    /** @param lengthWord word 1. @return the frame length, unsigned. */
    public static long frameLength(final long lengthWord) {
        return lengthWord & 0xFFFFFFFFL;
    }

    /** @param lengthWord word 1. @return the topic length, unsigned. */
    public static int topicLength(final long lengthWord) {
        return (int)(lengthWord >>> TOPIC_LENGTH_SHIFT) & 0xFFFF;
    }

    /** @param lengthWord word 1. @return the content type. */
    public static byte contentType(final long lengthWord) {
        return (byte)(lengthWord >>> CONTENT_TYPE_SHIFT);
    }

    /** @param sectionWord word 2. @return the headers length, unsigned. */
    public static long headersLength(final long sectionWord) {
        return sectionWord & 0xFFFFFFFFL;
    }

    /** @param sectionWord word 2. @return the payload length, unsigned. */
    public static long payloadLength(final long sectionWord) {
        return sectionWord >>> PAYLOAD_LENGTH_SHIFT;
    }
}
