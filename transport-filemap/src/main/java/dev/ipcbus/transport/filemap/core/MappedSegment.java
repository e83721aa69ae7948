// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

/**
 * One mapping of a segment, as an OS layer provides it: the memory, the address other nodes use to find it, and its
 * doorbell.
 * <p>
 * The mapping itself is released when its buffer becomes unreachable (as a {@code MappedByteBuffer} is), never
 * explicitly, so that no thread can touch unmapped memory.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface MappedSegment extends AutoCloseable {
    /**
     * @return the mapped memory.
     */
    SharedRegion region();

    /**
     * @return the address other nodes pass to {@link FilemapPlatform#open}, e.g. a file path or an object name.
     */
    String address();

    /**
     * @return the segment's doorbell: the reader's side for a created segment, a writer's side for an opened one.
     */
    Doorbell doorbell();

    /**
     * Releases OS handles (its doorbell included); for the creator, also removes the named object (deletes the file)
     * so no other process can open it any more. Idempotent.
     */
    @Override
    void close();
}
