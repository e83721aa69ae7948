// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;

/**
 * The counters every transport's inbox keeps, under one vocabulary, in its node's statistics file
 * ({@link NodeCounters}: {@code inboxFramesRead}, {@code inboxBytesRead}, {@code inboxFramesDropped},
 * {@code inboxErrors}), where {@code stat} in another process reads them. Get it from
 * {@link TransportContext#inboxCounters(long)}. Transport-specific detail stays with the transport.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use (atomic adds on shared memory; several reader threads may count).
 */
public final class InboxCounters {
    private final CounterFile file;

    /**
     * @param file the node's statistics, laid out as {@link NodeCounters}.
     */
    public InboxCounters(final CounterFile file) {
        this.file = file;
    }

    /**
     * @return counters in process memory, for a node without a statistics file (a process-local registry, a test).
     */
    public static InboxCounters inMemory() {
        return new InboxCounters(CounterFile.inMemory(NodeCounters.COUNT));
    }

    /**
     * Counts frames read and handed to the node. On the hot path, so not atomic: call it from the inbox's delivering
     * thread only, one at a time (the filemap reader, the pipe inbox under its delivery lock, the mailslot loop).
     *
     * @param frames how many.
     * @param bytes  their bytes.
     */
    public void onFramesRead(final long frames, final long bytes) {
        file.addSingleWriter(NodeCounters.INBOX_FRAMES_READ, frames);
        file.addSingleWriter(NodeCounters.INBOX_BYTES_READ, bytes);
    }

    /**
     * Counts frames lost or refused before the node saw them.
     *
     * @param frames how many.
     */
    public void onFramesDropped(final long frames) {
        file.add(NodeCounters.INBOX_FRAMES_DROPPED, frames);
    }

    /** Counts one receive failure. */
    public void onError() {
        file.add(NodeCounters.INBOX_ERRORS, 1);
    }

    /**
     * @return frames read and handed to the node.
     */
    public long framesRead() {
        return file.get(NodeCounters.INBOX_FRAMES_READ);
    }

    /**
     * @return bytes of those frames.
     */
    public long bytesRead() {
        return file.get(NodeCounters.INBOX_BYTES_READ);
    }

    /**
     * @return frames lost or refused.
     */
    public long framesDropped() {
        return file.get(NodeCounters.INBOX_FRAMES_DROPPED);
    }

    /**
     * @return receive failures.
     */
    public long errors() {
        return file.get(NodeCounters.INBOX_ERRORS);
    }
}
