// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

/**
 * Layout of a filemap segment: one node's inbox, shared by its reader (the owning node) and any number of writers in
 * any process.
 * <h2>Section map</h2>
 * <pre>
 *  +----------------------------------------+ 0
 *  | Metadata line (written once, then read) |
 *  +----------------------------------------+ 128
 *  | Tail line: tail                         |  writers (CAS)
 *  +----------------------------------------+ 256
 *  | Head line: head                         |  reader (release)
 *  +----------------------------------------+ 384
 *  | Doorbell line: waiting flag, sequence   |  reader sets waiting, writers clear it and ring
 *  +----------------------------------------+ 512
 *  | Reader counters                         |  reader (release), any process reads (acquire)
 *  +----------------------------------------+ 640
 *  | Writer counters (slow path only)        |  writers (get-and-add)
 *  +----------------------------------------+ 768
 *  | Reserved (zero)                         |
 *  +----------------------------------------+ 1024 = HEADER_LENGTH
 *  | Ring: capacity bytes (power of two) of  |
 *  | records, see RecordDescriptor           |
 *  +----------------------------------------+ HEADER_LENGTH + capacity
 * </pre>
 * Each section starts 128 bytes (two cache lines) after the previous one: the tail, the head and the doorbell are
 * written by different parties, and x86's adjacent-line prefetcher pulls 64-byte lines in pairs, so 64 bytes apart
 * would still let them contend.
 * <h2>Metadata line</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  Minor version (bytes 0-1)    |  Major version (bytes 2-3)    |  0  (0 = not ready)
 *  +-------------------------------+-------------------------------+
 *  |                    Magic 0x50414D46 ("FMAP")                  |  4
 *  +---------------------------------------------------------------+
 *  |                 Ring capacity (power of two)                  |  8
 *  +---------------------------------------------------------------+
 *  |              Max frame length (capacity / 8)                  | 12
 *  +---------------------------------------------------------------+
 *  |                  Initializer claim token (64)                 | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Owner node id (64)                        | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Owner process id (64)                     | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Creation time, ms since the epoch (64)           | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Reader state                             | 48  (1 open, 2 closed)
 *  +---------------------------------------------------------------+
 *  |                      Reserved (R) up to 128                 ... 52
 *  +---------------------------------------------------------------+
 * </pre>
 * The ruler shows bytes in memory order. The 32-bit little-endian version word at offset 0 holds the major version in
 * its high 16 bits and the minor version in its low 16 bits, so the minor version's two bytes come first; version 2.0
 * is the bytes {@code 00 00 02 00}.
 * <h2>Control words</h2>
 * <pre>
 *  offset 128  Tail (64)            total bytes ever claimed; writers: compareAndSet
 *  offset 136  Skip epoch (64)      bumped by the reader before it skips an unmarked claim (getAndAdd); writers read
 *                                   it with the tail (acquire) and again after their mark (see RecordDescriptor)
 *  offset 256  Head (64)            total bytes ever consumed; reader: release; writers: acquire
 *  offset 384  Waiting (32)         1 = the reader is about to sleep; reader: volatile store; writers: volatile
 *                                   load, then compareAndSet 1 to 0 by the one writer that rings
 *  offset 388  Doorbell seq (32)    futex word; the ringing writer: getAndAdd; reader: volatile load before sleeping
 *  offset 512  Frames read (64), 520 Bytes read (64), 528 Skipped records (64), 536 Skipped bytes (64),
 *  offset 544  Wake-ups (64), 552 Corrupt records (64), 560 Live-writer waits (64)   reader: release; anyone: acquire
 *  offset 640  Backpressure waits (64), 648 Doorbell rings (64), 656 Skipped claims retried (64)
 *                                   writers: getAndAdd; anyone: acquire
 * </pre>
 * <h2>Rules</h2>
 * <ul>
 *   <li>Byte order: little-endian for every field. All fields are naturally aligned; the segment itself starts on a
 *   page boundary (mapped) or at least an 8-byte boundary (tests).</li>
 *   <li>Total length: {@link #HEADER_LENGTH} + capacity.</li>
 *   <li>Creation: a creator maps zeroed memory, wins the initializer claim (compareAndSet of the claim token from 0),
 *   writes every metadata field, and writes the version word <b>last</b>, with release: a non-zero version is the
 *   ready signal. Anyone else who finds the claim taken waits (bounded) for the version with acquire.</li>
 *   <li>Refusal: a non-zero magic other than {@link #MAGIC} means the memory is not a filemap segment; a major version
 *   other than {@link #MAJOR_VERSION} is refused; neither is ever overwritten. Minor versions are compatible.</li>
 *   <li>Positions (head, tail) only grow; a ring index is {@code position & (capacity - 1)}.</li>
 * </ul>
 */
public final class SegmentDescriptor {
    /** "FMAP" read as a little-endian 32-bit integer. */
    public static final int MAGIC = 0x50414D46;
    /**
     * Major version: changes only with an incompatible layout. 2: claim marks by compare-and-set with the writer's
     * pid, skip sentinels and the skip epoch (version 1 writers marked claims with a plain store).
     */
    public static final int MAJOR_VERSION = 2;
    /** Minor version: compatible additions. */
    public static final int MINOR_VERSION = 0;
    /** The version word: major in the high 16 bits, minor in the low 16 bits. */
    public static final int VERSION = (MAJOR_VERSION << 16) | MINOR_VERSION;

    /** Reader state: the reader is serving the ring. */
    public static final int READER_OPEN = 1;
    /** Reader state: the reader closed the inbox; writers get {@code PEER_GONE}. */
    public static final int READER_CLOSED = 2;

    /** Distance between sections written by different parties: two 64-byte cache lines. */
    public static final int SECTION_SPACING = 128;

    /** Offset of the 32-bit version word, written last as the ready signal. */
    public static final int VERSION_OFFSET;
    /** Offset of the 32-bit magic. */
    public static final int MAGIC_OFFSET;
    /** Offset of the 32-bit ring capacity in bytes. */
    public static final int CAPACITY_OFFSET;
    /** Offset of the 32-bit max frame length in bytes. */
    public static final int MAX_FRAME_LENGTH_OFFSET;
    /** Offset of the 64-bit initializer claim token. */
    public static final int INIT_CLAIM_OFFSET;
    /** Offset of the 64-bit owner node id. */
    public static final int OWNER_NODE_OFFSET;
    /** Offset of the 64-bit owner process id. */
    public static final int OWNER_PID_OFFSET;
    /** Offset of the 64-bit creation time in milliseconds since the epoch. */
    public static final int CREATED_MILLIS_OFFSET;
    /** Offset of the 32-bit reader state. */
    public static final int READER_STATE_OFFSET;

    /** Offset of the 64-bit tail position. */
    public static final int TAIL_OFFSET;
    /** Offset of the 64-bit skip epoch, in the tail's cache line: moved before every skip of an unmarked claim. */
    public static final int SKIP_EPOCH_OFFSET;
    /** Offset of the 64-bit head position. */
    public static final int HEAD_OFFSET;
    /** Offset of the 32-bit waiting flag. */
    public static final int WAITING_OFFSET;
    /** Offset of the 32-bit doorbell sequence (the futex word on Linux). */
    public static final int DOORBELL_SEQ_OFFSET;

    /** Offset of the 64-bit frames-read counter. */
    public static final int FRAMES_READ_OFFSET;
    /** Offset of the 64-bit bytes-read counter (frame bytes). */
    public static final int BYTES_READ_OFFSET;
    /** Offset of the 64-bit skipped-records counter (stalled claims the reader skipped). */
    public static final int SKIPPED_RECORDS_OFFSET;
    /** Offset of the 64-bit skipped-bytes counter. */
    public static final int SKIPPED_BYTES_OFFSET;
    /** Offset of the 64-bit wake-ups counter (reader woken from the doorbell). */
    public static final int WAKEUPS_OFFSET;
    /** Offset of the 64-bit corrupt-records counter (records with an impossible header). */
    public static final int CORRUPT_RECORDS_OFFSET;
    /**
     * Offset of the 64-bit live-writer-waits counter: stalls past the stall timeout on a claim whose writer was alive
     * (not skipped; counted once per stall).
     */
    public static final int LIVE_WRITER_WAITS_OFFSET;

    /** Offset of the 64-bit backpressure-waits counter (offers that found the ring full). */
    public static final int BACKPRESSURE_WAITS_OFFSET;
    /** Offset of the 64-bit doorbell-rings counter. */
    public static final int DOORBELL_RINGS_OFFSET;
    /** Offset of the 64-bit counter of writes whose unmarked claim the reader skipped and that claimed again. */
    public static final int SKIPPED_CLAIMS_RETRIED_OFFSET;

    /** Length of the header; the ring starts here. */
    public static final int HEADER_LENGTH;

    static {
        int offset = 0;
        VERSION_OFFSET = offset;
        offset += Integer.BYTES;
        MAGIC_OFFSET = offset;
        offset += Integer.BYTES;
        CAPACITY_OFFSET = offset;
        offset += Integer.BYTES;
        MAX_FRAME_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        INIT_CLAIM_OFFSET = offset;
        offset += Long.BYTES;
        OWNER_NODE_OFFSET = offset;
        offset += Long.BYTES;
        OWNER_PID_OFFSET = offset;
        offset += Long.BYTES;
        CREATED_MILLIS_OFFSET = offset;
        offset += Long.BYTES;
        READER_STATE_OFFSET = offset;

        // Tail, head and doorbell are written by different parties: each gets its own pair of cache lines.
        offset = SECTION_SPACING;
        TAIL_OFFSET = offset;
        offset += Long.BYTES;
        SKIP_EPOCH_OFFSET = offset;

        offset = 2 * SECTION_SPACING;
        HEAD_OFFSET = offset;

        offset = 3 * SECTION_SPACING;
        WAITING_OFFSET = offset;
        offset += Integer.BYTES;
        DOORBELL_SEQ_OFFSET = offset;

        offset = 4 * SECTION_SPACING;
        FRAMES_READ_OFFSET = offset;
        offset += Long.BYTES;
        BYTES_READ_OFFSET = offset;
        offset += Long.BYTES;
        SKIPPED_RECORDS_OFFSET = offset;
        offset += Long.BYTES;
        SKIPPED_BYTES_OFFSET = offset;
        offset += Long.BYTES;
        WAKEUPS_OFFSET = offset;
        offset += Long.BYTES;
        CORRUPT_RECORDS_OFFSET = offset;
        offset += Long.BYTES;
        LIVE_WRITER_WAITS_OFFSET = offset;

        offset = 5 * SECTION_SPACING;
        BACKPRESSURE_WAITS_OFFSET = offset;
        offset += Long.BYTES;
        DOORBELL_RINGS_OFFSET = offset;
        offset += Long.BYTES;
        SKIPPED_CLAIMS_RETRIED_OFFSET = offset;

        // Lines 6 and 7 are reserved for compatible (minor version) additions.
        HEADER_LENGTH = 8 * SECTION_SPACING;
    }

    /** Smallest ring capacity the core accepts (tests use small rings to wrap often). */
    public static final int MIN_CAPACITY = 1024;
    /** Largest ring capacity: the segment must fit one {@code MappedByteBuffer} (int-indexed). */
    public static final int MAX_CAPACITY = 1 << 30;

    private SegmentDescriptor() {
    }

    /**
     * @param capacity a ring capacity.
     * @return the segment length for it: header plus ring.
     */
    public static int segmentLength(final int capacity) {
        return HEADER_LENGTH + capacity;
    }

    /**
     * @param capacity a ring capacity.
     * @return the largest frame a ring of this capacity accepts: {@code capacity / 8}.
     */
    public static int maxFrameLength(final int capacity) {
        return capacity / 8;
    }

    /**
     * Checks a ring capacity.
     *
     * @param capacity the capacity in bytes.
     * @throws IllegalArgumentException if it is not a power of two between {@link #MIN_CAPACITY} and
     *                                  {@link #MAX_CAPACITY}.
     */
    public static void checkCapacity(final long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two between " + MIN_CAPACITY
                + " and " + MAX_CAPACITY + ": capacity=" + capacity);
        }
    }

    /**
     * @param version a version word.
     * @return its major part.
     */
    public static int major(final int version) {
        return version >>> 16;
    }

    /**
     * @param version a version word.
     * @return its minor part.
     */
    public static int minor(final int version) {
        return version & 0xFFFF;
    }
}
