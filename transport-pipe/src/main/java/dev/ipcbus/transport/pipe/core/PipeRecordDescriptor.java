// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

/**
 * Layout of one record on a pipe connection that is a byte stream (the POSIX layer's Unix domain stream socket): a
 * length prefix, the frame, and a one-byte status trailer that commits or aborts the frame.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                Frame length L (0 .. max frame)                |  0
 *  +---------------------------------------------------------------+
 *  |                Frame: L bytes, one ipcbus frame             ...  4
 *  +---------------+-----------------------------------------------+
 *  |    Status     |                                                 4 + L
 *  +---------------+
 * </pre>
 * <ul>
 *   <li>Byte order: little-endian. No alignment: records follow each other with no padding.</li>
 *   <li>Total length: {@link #PREFIX_LENGTH} + L + {@link #TRAILER_LENGTH}.</li>
 *   <li>Writer: the connection's only writer, the outlet, under its lock. Reader: the inbox's receive thread. No
 *   field is shared memory; the stream's order is the only ordering.</li>
 *   <li>Publish protocol: the reader delivers the frame only once it has the whole record and the status is
 *   {@link #STATUS_COMMIT}. A writer whose wait for space times out after it wrote part of a record completes that
 *   record with filler bytes and {@link #STATUS_ABORT} before its next record, so the reader drops it: a timed-out
 *   offer delivers nothing, and the stream stays in step. A writer that dies mid-record leaves an incomplete record
 *   that the reader discards at end of stream.</li>
 *   <li>A length beyond the inbox's maximum but within {@link #MAX_FRAME_LENGTH} (a writer whose URI allows larger
 *   frames) makes the reader skip that record: it reads and drops the L frame bytes and the status byte without
 *   buffering them, counts the frame and reports the first per connection, and keeps the connection. A length
 *   beyond {@link #MAX_FRAME_LENGTH}, or any status other than the two defined, is transport-level garbage: the inbox
 *   reports it once and drops that connection. The reader never allocates for a length it has not checked against
 *   the maximum.</li>
 *   <li>Version: carried once per connection by {@link PipeHelloDescriptor}, which precedes the first record.</li>
 * </ul>
 * <b>Thread safety:</b> constants only.
 */
public final class PipeRecordDescriptor {
    /** Status: the frame is complete; deliver it. */
    public static final byte STATUS_COMMIT = 0x01;
    /** Status: the writer gave up on this frame (timed out mid-record); drop it. */
    public static final byte STATUS_ABORT = 0x02;
    /**
     * The largest frame length L any writer sends: 256 MiB, the top of the {@code maxFrameLength} option's range. A
     * longer L is garbage; an L above the inbox's own maximum but within this is another writer's larger limit, and
     * that record is skipped.
     */
    public static final int MAX_FRAME_LENGTH = 256 * 1024 * 1024;

    /** Offset of the 32-bit frame length (unsigned, at most {@link #MAX_FRAME_LENGTH}). */
    public static final int LENGTH_OFFSET;
    /** Length of the prefix; the frame starts here. */
    public static final int PREFIX_LENGTH;
    /** Offset of the frame bytes. */
    public static final int FRAME_OFFSET;
    /** Length of the status trailer that follows the frame. */
    public static final int TRAILER_LENGTH;
    /** Bytes a record adds to its frame. */
    public static final int OVERHEAD;

    static {
        int offset = 0;
        LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        PREFIX_LENGTH = offset;
        FRAME_OFFSET = offset;
        TRAILER_LENGTH = Byte.BYTES;
        OVERHEAD = PREFIX_LENGTH + TRAILER_LENGTH;
    }

    private PipeRecordDescriptor() {
    }

    /**
     * @param frameLength the frame length L.
     * @return the offset of the status byte from the record start.
     */
    public static int statusOffset(final int frameLength) {
        return FRAME_OFFSET + frameLength;
    }

    /**
     * @param frameLength the frame length L.
     * @return the record's total length.
     */
    public static int recordLength(final int frameLength) {
        return OVERHEAD + frameLength;
    }
}
