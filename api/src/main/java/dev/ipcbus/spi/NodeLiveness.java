// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

/**
 * Answers whether a node is alive, from the registry's OS lock (released by the OS when a process dies, held through
 * a pause such as {@code SIGSTOP} or a long GC).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
@FunctionalInterface
public interface NodeLiveness {
    /**
     * @param nodeId the node.
     * @return {@code false} only if the node is known to be dead or unregistered; a live or paused node is alive.
     */
    boolean isAlive(long nodeId);

    /**
     * Answers whether a process still runs a live node of this bus: how a reader tells a writer that is paused in
     * the middle of a write (keep waiting) from one that died there (reclaim its space). Only the low 32 bits of
     * process ids are compared (that is what a filemap claim mark holds).
     * <p>
     * The default asks the OS whether the process exists, which a zombie or a reused pid can fool; the bus passes
     * the registry's answer (a live node's OS lock), which they cannot.
     *
     * @param pid a process id.
     * @return {@code false} only if no live node of this bus runs in that process.
     */
    default boolean isProcessAlive(final long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
