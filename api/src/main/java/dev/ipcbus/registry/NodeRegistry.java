package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;

import java.util.List;

/**
 * The set of nodes on one bus, shared by every process that opens it.
 * <p>
 * A change made with {@link #register}, {@link #update} or {@link #deregister} is visible to {@link #nodes()} in every
 * process once the call returns, and moves {@link #version()} on, so that readers notice it with one memory read.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface NodeRegistry extends AutoCloseable {
    /**
     * Called for a node found dead, while the caller holds the dead node's lock; at most one call per node across all
     * processes. Releases the node's transport resources.
     */
    @FunctionalInterface
    interface ReclaimListener {
        /**
         * @param nodeId the dead node.
         * @param record its last record, or {@code null} if its node file was missing or unreadable.
         */
        void onReclaim(long nodeId, NodeRecord record);
    }

    /**
     * Registers a node of this process and takes its liveness lock.
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
     * Removes a node of this process and releases its lock. Idempotent.
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
     * Tells whether a node is alive; a node found dead is reclaimed on the spot (see {@link ReclaimListener}).
     *
     * @param nodeId the node.
     * @return {@code false} if the node is dead or not registered.
     */
    boolean isAlive(long nodeId);

    /**
     * Stops using the registry (does not deregister nodes). Idempotent.
     */
    @Override
    void close();

    /**
     * @param pid a process id; only its low 32 bits are compared.
     * @return whether a registered node in that process is alive (checking a node may reclaim it if it is dead).
     */
    default boolean hasLiveNodeInProcess(final long pid) {
        for (final NodeRecord record : nodes()) {
            if ((int) record.pid() == (int) pid && isAlive(NodeIds.parse(record.id()))) {
                return true;
            }
        }
        return false;
    }
}
