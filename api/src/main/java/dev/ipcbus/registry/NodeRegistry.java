// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;

import java.util.List;

/**
 * The set of nodes on one bus, shared by every process that opens it.
 * <p>
 * A change made with {@link #register}, {@link #update} or {@link #deregister} is visible to {@link #nodes()} in every
 * process once the call returns, and moves {@link #version()} on, so that readers notice it with one memory read.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface NodeRegistry extends NodeLiveness, AutoCloseable {
    /**
     * Called for a node found dead, while the caller holds the dead node's lock; at most one call per node across all
     * processes. Releases the node's transport resources.
     */
    @FunctionalInterface
    interface ReclaimListener {
        /**
         * @param nodeId the dead node.
         * @param record its last record, or {@code null} if its node file was missing or unreadable (a node killed
         *               while starting): the transport then finds its resources from the node id alone.
         */
        void onReclaim(long nodeId, NodeRecord record);
    }

    /**
     * Takes the liveness lock of a node of this process and creates its statistics, before the transport creates
     * anything for it: from here on, everything named after the node id is reclaimable should the process die.
     * Idempotent.
     *
     * @param nodeId the starting node.
     * @throws dev.ipcbus.BusException if the lock or the statistics cannot be created; nothing is left behind.
     */
    default void claim(final long nodeId) {
    }

    /**
     * Lists a node of this process (writes its record), claiming it first if {@link #claim} was not called.
     *
     * @param record the node.
     */
    void register(NodeRecord record);

    /**
     * Replaces a registered node's record (subscriptions changed).
     *
     * @param record the new record, same id.
     */
    void update(NodeRecord record);

    /**
     * Unlists a node of this process that is closing (removes its record) but keeps its lock, so that what it still
     * holds stays owned until {@link #deregister}: other nodes stop routing to it and see it as leaving. Idempotent.
     *
     * @param nodeId the node.
     */
    default void unlist(final long nodeId) {
        deregister(nodeId);
    }

    /**
     * Removes a node of this process (record and statistics) and releases its lock. Idempotent.
     *
     * @param nodeId the node.
     */
    void deregister(long nodeId);

    /**
     * @return a counter that changes whenever a node is registered, updated, deregistered or reclaimed.
     */
    long version();

    /**
     * @param nodeId a node, of this process or another.
     * @return the node's statistics ({@link NodeCounters}), or {@code null} if it has none (not registered).
     */
    CounterFile counters(long nodeId);

    /**
     * Reads every registered node. A node that died may still be listed until someone reclaims it.
     *
     * @return the records, in no particular order.
     */
    List<NodeRecord> nodes();

    /**
     * Finds the nodes that left something behind without being listed (killed while starting or closing: a lock
     * file, statistics or a half-written record, but no record) and reclaims those whose lock is free. A node that is
     * starting holds its lock and is left alone. The listener is called with a {@code null} record for each.
     *
     * @return the ids of the nodes reclaimed, in no particular order.
     */
    default List<Long> reclaimUnlisted() {
        return List.of();
    }

    /**
     * Tells whether a node is alive; a node found dead is reclaimed on the spot (see {@link ReclaimListener}).
     *
     * @param nodeId the node.
     * @return {@code false} if the node is dead or not registered.
     */
    @Override
    boolean isAlive(long nodeId);

    /**
     * Stops using the registry (does not deregister nodes). Idempotent.
     */
    @Override
    void close();

    /**
     * Answers from the registry's locks, not from the OS's process table (which a zombie or a reused pid fools).
     *
     * @param pid a process id; only its low 32 bits are compared.
     * @return whether a registered node in that process is alive (checking a node may reclaim it if it is dead).
     */
    @Override
    default boolean isProcessAlive(final long pid) {
        for (final NodeRecord record : nodes()) {
            if ((int) record.pid() == (int) pid && isAlive(NodeIds.parse(record.id()))) {
                return true;
            }
        }
        return false;
    }
}
