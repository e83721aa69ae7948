// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

/**
 * Where segments live: the one thing an OS layer supplies to the platform-neutral filemap transport. Creates a
 * node's segment (zeroed, with its memory reserved up front), opens another node's, and removes a dead node's.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface FilemapPlatform {
    /**
     * @return a short description for messages, e.g. {@code "posix:/dev/shm"}.
     */
    String describe();

    /**
     * Creates and maps a new segment for a node of this process. The memory is zero and fully reserved: if the
     * system cannot provide it (a full {@code /dev/shm}), this fails here rather than later on the hot path.
     *
     * @param nodeId the owning node.
     * @param length the segment length in bytes.
     * @return the new mapping, owned by the caller; closing it removes the segment.
     * @throws dev.ipcbus.BusException if the name is taken or the OS refuses (the message names the object).
     */
    MappedSegment create(long nodeId, int length);

    /**
     * Opens and maps another node's segment, waiting (up to {@code timeoutNanos}) for its ready signal and validating
     * its header.
     *
     * @param nodeId       the target node.
     * @param address      the address from the registry.
     * @param timeoutNanos how long to wait for the ready signal.
     * @return the mapping, owned by the caller; closing it leaves the segment in place.
     * @throws SegmentGoneException    if it does not exist.
     * @throws dev.ipcbus.BusException if it is not ours or is invalid.
     */
    MappedSegment open(long nodeId, String address, long timeoutNanos);

    /**
     * Removes a dead node's segment, found by its node id (the name is derived from the bus and the id), and also at
     * {@code address} if that names this node's segment. Idempotent: a segment already gone, or never created, is
     * fine.
     *
     * @param nodeId  the dead node.
     * @param address its address from the registry, or {@code null} if the node died before it was listed.
     */
    void reclaim(long nodeId, String address);
}
