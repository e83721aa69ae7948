// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

/**
 * The OS primitive a sleeping reader waits on and a writer rings: a futex on the segment's doorbell sequence word
 * (Linux), a named auto-reset event (Windows), or timed parking (elsewhere).
 * <h2>Contract (no lost wake-up, no system call on the busy path)</h2>
 * <ol>
 *   <li>Reader, about to sleep: reads the doorbell sequence ({@link SegmentDescriptor#DOORBELL_SEQ_OFFSET}), stores
 *   1 into the waiting flag with a volatile store, re-reads the ring's tail (volatile); if the tail moved it does not
 *   sleep, else it calls {@link #await(int, long)} with the sequence it read.</li>
 *   <li>Writer, after publishing: loads the waiting flag (volatile, after its compare-and-set of the tail); only if it
 *   is 1 and the writer wins a compare-and-set of the flag from 1 to 0 does it increment the sequence and call
 *   {@link #ring()}. While the reader is busy the flag is 0 and writers make no system call.</li>
 * </ol>
 * Both sides' first accesses (the reader's flag store, the writer's tail compare-and-set) are sequentially consistent
 * and each side then reads the other's word, so at least one sees the other: either the writer rings or the reader
 * sees the new tail. {@link #await} returns at once if the sequence already changed (futex {@code EAGAIN}; an
 * auto-reset event stays signaled), so a ring between the re-check and the sleep is not lost.
 * <p>
 * <b>Thread safety:</b> {@link #ring()} is safe for concurrent use by writers in any process; {@link #await} is
 * called by the single reader thread.
 */
public interface Doorbell extends AutoCloseable {
    /**
     * Wakes the reader if it sleeps in {@link #await}. Called by the one writer that cleared the waiting flag, after
     * incrementing the sequence.
     */
    void ring();

    /**
     * Sleeps until rung, until the sequence word no longer equals {@code expectedSequence}, or until the timeout;
     * may also return spuriously. The caller re-checks the ring in every case.
     *
     * @param expectedSequence the doorbell sequence read before the waiting flag was set.
     * @param timeoutNanos     the longest sleep.
     */
    void await(int expectedSequence, long timeoutNanos);

    /**
     * Releases the OS handle, if any. Idempotent.
     */
    @Override
    void close();
}
