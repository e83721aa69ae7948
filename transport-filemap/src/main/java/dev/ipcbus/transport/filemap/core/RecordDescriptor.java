package dev.ipcbus.transport.filemap.core;

/**
 * Layout of one record in a filemap ring: an 8-byte header, then the body (one ipcbus frame, or nothing for padding),
 * then zeros up to the next multiple of {@link #ALIGNMENT}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |R|                 Record length (signed)                      |  0
 *  +---------------------------------------------------------------+
 *  |                      Record type                              |  4
 *  +---------------------------------------------------------------+
 *  |                   Body: record length - 8 bytes             ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>Byte order: little-endian. Records start at multiples of {@link #ALIGNMENT} (8) within the ring; the record
 *   length counts the header and the body but not the alignment padding after it.</li>
 *   <li>Record length (bit {@code R} is the sign): {@code 0} = free (consumed space is zeroed by the reader);
 *   negative = claimed, being written ({@code -length}); positive = published.</li>
 *   <li>Type: {@link #TYPE_FRAME} or {@link #TYPE_PADDING}. A padding record fills the space from a record that
 *   does not fit before the end of the ring up to the end; the reader skips it. Its length equals the space it fills
 *   (a multiple of 8, at least {@link #HEADER_LENGTH}).</li>
 * </ul>
 * <h2>Publish protocol</h2>
 * <table>
 *   <caption>Who writes and reads each field, with which memory order</caption>
 *   <tr><th>Field</th><th>Writer</th><th>Reader</th></tr>
 *   <tr><td>length</td><td>claiming writer: opaque {@code -length} (with the type), then a release fence, body,
 *   then release {@code +length}; reader: plain zeros, published by the head's release</td>
 *   <td>reader: acquire</td></tr>
 *   <tr><td>type</td><td>claiming writer: with the claim mark, as one opaque 8-byte store of length and type
 *   (a padding record, or a frame record whose writer failed: plain, before the release of {@code +length})</td>
 *   <td>reader: plain, after the acquire of the length</td></tr>
 * </table>
 * A writer claims space by a compare-and-set of the segment's tail, marks the record claimed, writes the body, then
 * publishes it with a release store of the positive length; the single reader reads the length with acquire and so
 * sees the whole body. The release fence after the claim mark guarantees that a record whose length is still 0 has
 * an all-zero body: the reader relies on it to skip a claim whose writer died before marking it.
 */
public final class RecordDescriptor {
    /** Record alignment within the ring, in bytes. */
    public static final int ALIGNMENT = 8;

    /** Type of a record that carries one ipcbus frame. */
    public static final int TYPE_FRAME = 1;
    /** Type of a record that only fills the space up to the end of the ring. */
    public static final int TYPE_PADDING = 2;

    /** Offset of the signed 32-bit record length. */
    public static final int LENGTH_OFFSET;
    /** Offset of the 32-bit record type. */
    public static final int TYPE_OFFSET;
    /** Length of the record header; the body starts here. */
    public static final int HEADER_LENGTH;

    static {
        int offset = 0;
        LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        TYPE_OFFSET = offset;
        offset += Integer.BYTES;
        HEADER_LENGTH = offset;
    }

    private RecordDescriptor() {
    }

    /**
     * @param length a record length (header included).
     * @return the space the record takes in the ring: {@code length} rounded up to {@link #ALIGNMENT}.
     */
    public static int alignedLength(final int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * @param recordIndex the record's index in the ring (relative to the ring start).
     * @return the index of its length field.
     */
    public static int lengthOffset(final int recordIndex) {
        return recordIndex + LENGTH_OFFSET;
    }

    /**
     * @param recordIndex the record's index in the ring.
     * @return the index of its type field.
     */
    public static int typeOffset(final int recordIndex) {
        return recordIndex + TYPE_OFFSET;
    }

    /**
     * @param recordIndex the record's index in the ring.
     * @return the index of its body.
     */
    public static int bodyOffset(final int recordIndex) {
        return recordIndex + HEADER_LENGTH;
    }
}
