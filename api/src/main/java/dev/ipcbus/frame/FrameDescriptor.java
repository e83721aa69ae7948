// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

/**
 * Layout of an ipcbus frame (protocol major version 2): the unit every transport carries, one frame per ring record,
 * pipe message or datagram.
 * <p>
 * A 14-byte fixed part, then the optional fields its type and flags call for, then the topic, the headers section
 * and the payload, with no padding between them:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------+-+-+-+
 *  | Major version | Minor version |  Frame type   |    R    |H|T|N|  0
 *  +---------------+---------------+---------------+---------+-+-+-+
 *  | Content type  | Topic length  |                               |  4
 *  +---------------+---------------+                               +
 *  |                     Sender node id (64)                       |  6
 *  +                               +-------------------------------+
 *  |                               |                                 14
 *  +-------------------------------+
 *  |  Destination node id (64)     REQUEST, REPLY, ERROR_REPLY only  14
 *  |  Correlation id (64)          REQUEST, REPLY, ERROR_REPLY only  22
 *  |  Timestamp (64), ns since the epoch       only if flag T is set
 *  |  Headers length (16)                      only if flag H is set
 *  +---------------------------------------------------------------+
 *  |              Topic: Topic length bytes of UTF-8             ...
 *  |              Headers: Headers length bytes                  ...
 *  |              Payload: the rest of the frame                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>Byte order: little-endian for every multi-byte field. No alignment is required of the frame start or of any
 *   field.</li>
 *   <li>The frame's length is the number of bytes the transport delivered (a ring record's body, a pipe message, a
 *   datagram); the payload is what remains after the header, topic and headers section, and may be empty.</li>
 *   <li>Flags: {@code N} ({@link #FLAG_NO_RESPONDER}) marks an error reply sent because the destination node has no
 *   responder for the topic any more; {@code T} ({@link #FLAG_TIMESTAMP}) says the timestamp field is present;
 *   {@code H} ({@link #FLAG_HEADERS}) says the headers length field is present. Bits marked {@code R} are reserved:
 *   written as 0, ignored when read.</li>
 *   <li>Topic: 1 to {@link #MAX_TOPIC_LENGTH} bytes of UTF-8, dot-separated tokens.</li>
 *   <li>Headers section: absent (no {@code H}), or a 16-bit count followed by that many entries of
 *   {@code (16-bit key length, key UTF-8, 16-bit value length, value UTF-8)}; at most {@link #MAX_HEADERS_LENGTH}
 *   bytes.</li>
 *   <li>Content type: {@link #CONTENT_TYPE_RAW} (bytes the application serialized itself) or
 *   {@link #CONTENT_TYPE_JSON}.</li>
 *   <li>Version: a reader refuses a frame whose major version differs from {@link #MAJOR_VERSION}
 *   ({@link dev.ipcbus.IncompatibleVersionException}; a frame of protocol 1, recognised by its
 *   {@link #V1_MAGIC}, is named as such) and accepts any minor version.</li>
 * </ul>
 * A 32-byte publish on a 10-byte topic without timestamp is a 56-byte frame: one 64-byte record in a filemap ring.
 */
public final class FrameDescriptor {
    /** Major version: changes only with an incompatible layout. */
    public static final byte MAJOR_VERSION = 2;
    /** Minor version: compatible additions (flags that add no field). */
    public static final byte MINOR_VERSION = 0;
    /**
     * The first four bytes of every protocol 1 frame ("IPCB" read as a little-endian 32-bit integer): how a reader
     * tells an old sender from a corrupt frame.
     */
    public static final int V1_MAGIC = 0x42435049;

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
    /** Flag: the 64-bit timestamp field is present. */
    public static final byte FLAG_TIMESTAMP = 0x02;
    /** Flag: the 16-bit headers length field is present. */
    public static final byte FLAG_HEADERS = 0x04;

    /** Content type: raw bytes, serialized by the application. */
    public static final byte CONTENT_TYPE_RAW = 0;
    /** Content type: JSON written by Jackson. */
    public static final byte CONTENT_TYPE_JSON = 1;

    /** Largest topic, in UTF-8 bytes. */
    public static final int MAX_TOPIC_LENGTH = 255;
    /** Largest headers section, in bytes. */
    public static final int MAX_HEADERS_LENGTH = 65535;

    /** Offset of the 8-bit major version. */
    public static final int MAJOR_VERSION_OFFSET;
    /** Offset of the 8-bit minor version. */
    public static final int MINOR_VERSION_OFFSET;
    /** Offset of the 8-bit frame type. */
    public static final int TYPE_OFFSET;
    /** Offset of the 8-bit flags. */
    public static final int FLAGS_OFFSET;
    /** Offset of the 8-bit content type. */
    public static final int CONTENT_TYPE_OFFSET;
    /** Offset of the 8-bit topic length. */
    public static final int TOPIC_LENGTH_OFFSET;
    /** Offset of the 64-bit sender node id. */
    public static final int SENDER_OFFSET;
    /** Length of the fixed part: the shortest header (a publish without timestamp or headers). */
    public static final int FIXED_LENGTH;
    /** Offset of the 64-bit destination node id, present on every type but {@link #TYPE_PUBLISH}. */
    public static final int DESTINATION_OFFSET;
    /** Offset of the 64-bit correlation id, present on every type but {@link #TYPE_PUBLISH}. */
    public static final int CORRELATION_ID_OFFSET;
    /** Length of the exchange fields (destination, correlation id), present on every type but a publish. */
    public static final int EXCHANGE_LENGTH;
    /** Length of the optional timestamp field. */
    public static final int TIMESTAMP_LENGTH = Long.BYTES;
    /** Length of the optional headers length field. */
    public static final int HEADERS_LENGTH_LENGTH = Short.BYTES;
    /** Length of the longest header: every optional field present. */
    public static final int MAX_HEADER_LENGTH;

    static {
        int offset = 0;
        MAJOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        MINOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        FLAGS_OFFSET = offset;
        offset += Byte.BYTES;
        CONTENT_TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        TOPIC_LENGTH_OFFSET = offset;
        offset += Byte.BYTES;
        SENDER_OFFSET = offset;
        offset += Long.BYTES;
        FIXED_LENGTH = offset;
        DESTINATION_OFFSET = offset;
        offset += Long.BYTES;
        CORRELATION_ID_OFFSET = offset;
        offset += Long.BYTES;
        EXCHANGE_LENGTH = offset - FIXED_LENGTH;
        MAX_HEADER_LENGTH = offset + TIMESTAMP_LENGTH + HEADERS_LENGTH_LENGTH;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The first 8 bytes as one little-endian 64-bit word: how the encoder writes and the flyweight reads the fixed
    // fields (one access instead of one per field). Its last two bytes are the low bytes of the sender node id.

    /** Offset of the prefix word: versions, type, flags, content type, topic length (and two bytes of the sender). */
    public static final int PREFIX_WORD_OFFSET = MAJOR_VERSION_OFFSET;

    private static final int MAJOR_VERSION_SHIFT = shift(MAJOR_VERSION_OFFSET);
    private static final int MINOR_VERSION_SHIFT = shift(MINOR_VERSION_OFFSET);
    private static final int TYPE_SHIFT = shift(TYPE_OFFSET);
    private static final int FLAGS_SHIFT = shift(FLAGS_OFFSET);
    private static final int CONTENT_TYPE_SHIFT = shift(CONTENT_TYPE_OFFSET);
    private static final int TOPIC_LENGTH_SHIFT = shift(TOPIC_LENGTH_OFFSET);
    private static final int SENDER_SHIFT = shift(SENDER_OFFSET);

    private FrameDescriptor() {
    }

    private static int shift(final int fieldOffset) {
        final int shift = (fieldOffset - PREFIX_WORD_OFFSET) * Byte.SIZE;
        if (shift < 0 || shift >= Long.SIZE) {
            throw new ExceptionInInitializerError("frame field outside the prefix word: offset=" + fieldOffset);
        }
        return shift;
    }

    /**
     * @param type        a {@code TYPE_*} constant.
     * @param flags       the flags byte.
     * @param contentType a {@code CONTENT_TYPE_*} constant.
     * @param topicLength the topic's length, 1..{@link #MAX_TOPIC_LENGTH}.
     * @param sender      the sending node; its low two bytes end the word.
     * @return the prefix word with this build's {@link #MAJOR_VERSION} and {@link #MINOR_VERSION}; the sender's other
     * bytes follow it ({@link #SENDER_OFFSET}).
     */
    public static long prefixWord(final byte type, final int flags, final byte contentType, final int topicLength,
        final long sender) {
        return (MAJOR_VERSION & 0xFFL) << MAJOR_VERSION_SHIFT | (MINOR_VERSION & 0xFFL) << MINOR_VERSION_SHIFT
            | (type & 0xFFL) << TYPE_SHIFT | (flags & 0xFFL) << FLAGS_SHIFT
            | (contentType & 0xFFL) << CONTENT_TYPE_SHIFT | (topicLength & 0xFFL) << TOPIC_LENGTH_SHIFT
            | sender << SENDER_SHIFT;
    }

    /** @param prefixWord the prefix word. @return the major version. */
    public static byte majorVersion(final long prefixWord) {
        return (byte)(prefixWord >>> MAJOR_VERSION_SHIFT);
    }

    /** @param prefixWord the prefix word. @return the minor version. */
    public static byte minorVersion(final long prefixWord) {
        return (byte)(prefixWord >>> MINOR_VERSION_SHIFT);
    }

    /** @param prefixWord the prefix word. @return the frame type. */
    public static byte type(final long prefixWord) {
        return (byte)(prefixWord >>> TYPE_SHIFT);
    }

    /** @param prefixWord the prefix word. @return the flags. */
    public static byte flags(final long prefixWord) {
        return (byte)(prefixWord >>> FLAGS_SHIFT);
    }

    /** @param prefixWord the prefix word. @return the content type. */
    public static byte contentType(final long prefixWord) {
        return (byte)(prefixWord >>> CONTENT_TYPE_SHIFT);
    }

    /** @param prefixWord the prefix word. @return the topic length, unsigned. */
    public static int topicLength(final long prefixWord) {
        return (int)(prefixWord >>> TOPIC_LENGTH_SHIFT) & 0xFF;
    }

    /**
     * @param type a {@code TYPE_*} constant.
     * @return the offset of the timestamp field (meaningful only with {@link #FLAG_TIMESTAMP}).
     */
    public static int timestampOffset(final byte type) {
        return FIXED_LENGTH + (type == TYPE_PUBLISH ? 0 : EXCHANGE_LENGTH);
    }

    /**
     * @param type  a {@code TYPE_*} constant.
     * @param flags the flags byte.
     * @return the offset of the headers length field (meaningful only with {@link #FLAG_HEADERS}).
     */
    public static int headersLengthOffset(final byte type, final int flags) {
        return timestampOffset(type) + ((flags & FLAG_TIMESTAMP) != 0 ? TIMESTAMP_LENGTH : 0);
    }

    /**
     * @param type  a {@code TYPE_*} constant.
     * @param flags the flags byte.
     * @return the header's length, where the topic starts: {@link #FIXED_LENGTH} plus the optional fields the type
     * and flags call for.
     */
    public static int headerLength(final byte type, final int flags) {
        return headersLengthOffset(type, flags) + ((flags & FLAG_HEADERS) != 0 ? HEADERS_LENGTH_LENGTH : 0);
    }
}
