// SPDX-License-Identifier: Apache-2.0
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
 *  |          Tag: record type, writer process id or skip tag      |  4
 *  +---------------------------------------------------------------+
 *  |                   Body: record length - 8 bytes             ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 * The header is one little-endian 64-bit word (length in the low half, tag in the high half), always written and read
 * as a whole with 64-bit atomic accesses. Records start at multiples of {@link #ALIGNMENT} (8) within the ring; the
 * record length counts the header and the body but not the alignment padding after it.
 * <table>
 *   <caption>The states of a header word</caption>
 *   <tr><th>length</th><th>tag</th><th>meaning</th></tr>
 *   <tr><td>0</td><td>0</td><td>free: consumed space is zeroed by the reader</td></tr>
 *   <tr><td>0</td><td>not 0</td><td><b>skip sentinel</b>: the reader skipped a claim that was never marked here;
 *   tag = {@link #skipTag(long)} of this position. A writer that finds its own tag here was skipped; one that finds
 *   another tag (a sentinel left from an earlier lap) treats the word as free.</td></tr>
 *   <tr><td>&lt; 0</td><td>writer pid</td><td><b>claimed</b>: {@code -length} bytes are being written by the process
 *   whose id is the tag (unsigned 32-bit)</td></tr>
 *   <tr><td>&gt; 0</td><td>{@link #TYPE_FRAME} or {@link #TYPE_PADDING}</td><td><b>published</b>. A padding record
 *   fills the space from a record that did not fit before the end of the ring up to the end; its length equals that
 *   space exactly. A frame record's length is at most the segment's max frame length + 8.</td></tr>
 * </table>
 * <h2>Publish protocol</h2>
 * <ol>
 *   <li>Claim: a compare-and-set of the segment's tail from {@code t} to {@code t + padding + alignedLength}, where
 *   padding is the space to the end of the ring if the record does not fit before it (0 otherwise).</li>
 *   <li>Mark: a compare-and-set of the header word at {@code t} from free (or another position's sentinel) to the
 *   published padding header, if there is padding, and then of the record's header word from free to the claim mark
 *   {@code (-length, pid)}. A mark that finds this position's own sentinel (or a non-zero length: the space was
 *   reused) means the reader skipped this claim: nothing is written, the writer claims again.</li>
 *   <li>If the segment's skip epoch moved since the claim, and the head has passed the record, the reader skipped the
 *   claim and its sentinel is already gone: the writer restores the word to free (compare-and-set) and claims
 *   again.</li>
 *   <li>Body: plain stores, after the mark (the compare-and-set orders them).</li>
 *   <li>Publish: a release store of the whole header word {@code (+length, TYPE_FRAME)}. A writer that fails while
 *   writing the body publishes {@code (+length, TYPE_PADDING)} instead, so the reader skips the space.</li>
 * </ol>
 * The single reader reads each header word with acquire and so sees the whole body of a published record.
 * <table>
 *   <caption>Who writes and reads the header word, with which memory order</caption>
 *   <tr><th>Party</th><th>Access</th></tr>
 *   <tr><td>claiming writer</td><td>compare-and-set (mark, padding, undo); release store (publish)</td></tr>
 *   <tr><td>reader</td><td>acquire load; plain zeros for consumed space, published by the head's release;
 *   compare-and-set of a skip sentinel over a free word at a stalled, unmarked claim</td></tr>
 * </table>
 */
public final class RecordDescriptor {
    /** Record alignment within the ring, in bytes. */
    public static final int ALIGNMENT = 8;

    /** Type of a published record that carries one ipcbus frame. */
    public static final int TYPE_FRAME = 1;
    /** Type of a published record that only fills the space up to the end of the ring. */
    public static final int TYPE_PADDING = 2;

    /** Offset of the signed 32-bit record length (the low half of the header word). */
    public static final int LENGTH_OFFSET;
    /** Offset of the 32-bit tag (the high half of the header word). */
    public static final int TAG_OFFSET;
    /** Length of the record header; the body starts here. */
    public static final int HEADER_LENGTH;

    static {
        int offset = 0;
        LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        TAG_OFFSET = offset;
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
     * @return the index of its header word.
     */
    public static int headerOffset(final int recordIndex) {
        return recordIndex + LENGTH_OFFSET;
    }

    /**
     * @param recordIndex the record's index in the ring.
     * @return the index of its body.
     */
    public static int bodyOffset(final int recordIndex) {
        return recordIndex + HEADER_LENGTH;
    }

    /**
     * @param header a header word.
     * @return its signed record length.
     */
    public static int length(final long header) {
        return (int) header;
    }

    /**
     * @param header a header word.
     * @return its tag: the type of a published record, the writer pid of a claimed one, the skip tag of a sentinel.
     */
    public static int tag(final long header) {
        return (int) (header >>> 32);
    }

    /**
     * @param length a record length, header included.
     * @param tag    the tag.
     * @return the header word.
     */
    public static long header(final int length, final int tag) {
        return (length & 0xFFFF_FFFFL) | (long) tag << 32;
    }

    /**
     * @param recordLength the claimed record length, header included.
     * @param writerPid    the writing process's id (its low 32 bits).
     * @return the claim mark.
     */
    public static long claimMark(final int recordLength, final int writerPid) {
        return header(-recordLength, writerPid);
    }

    /**
     * @param position the absolute ring position of a header word (a multiple of 8).
     * @return the non-zero skip tag for that position: positions that share an index in the ring share a tag only
     * 2<sup>35</sup> bytes apart, far beyond the one lap a sentinel can outlive.
     */
    public static int skipTag(final long position) {
        return (int) (position >>> 3) | 1;
    }

    /**
     * @param header a header word.
     * @return whether it is a skip sentinel (length 0, tag not 0).
     */
    public static boolean isSentinel(final long header) {
        return (int) header == 0 && header != 0;
    }
}
