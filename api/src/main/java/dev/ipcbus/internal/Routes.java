// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.registry.NodeRegistry;

import java.util.List;

/**
 * The node's current {@link RoutingTable}: a send reads the registry's change counter (one acquire load of mapped
 * memory) and rebuilds the snapshot only when it moved; a rebuild drops the outlets of nodes that left.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; rebuilds are serialized, reads take no lock.
 */
final class Routes {
    private final NodeRegistry registry;
    private final String scheme;
    private final Outlets outlets;
    private final Object rebuildLock = new Object();
    private volatile RoutingTable current;

    /**
     * @param registry the registry.
     * @param scheme   the transport's scheme: nodes of other transports are not routed to.
     * @param outlets  the outlets to drop when their node leaves.
     */
    Routes(final NodeRegistry registry, final String scheme, final Outlets outlets) {
        this.registry = registry;
        this.scheme = scheme;
        this.outlets = outlets;
        this.current = new RoutingTable(Long.MIN_VALUE, List.of(), scheme);
    }

    /**
     * @return the snapshot of the registry's current version (rebuilt if it moved).
     */
    RoutingTable current() {
        final RoutingTable table = current;
        final long version = registry.version();
        return table.version() == version ? table : rebuild(version);
    }

    /**
     * @param node a node.
     * @return its routing entry, re-reading the registry once if the snapshot does not know it; or {@code null}.
     */
    RoutingTable.Peer peerOf(final long node) {
        final RoutingTable.Peer peer = current().peer(node);
        return peer != null ? peer : rebuild(registry.version()).peer(node);
    }

    private RoutingTable rebuild(final long version) {
        synchronized (rebuildLock) {
            RoutingTable table = current;
            if (table.version() == version) {
                return table;
            }
            // Read the version before the directory: a change made during the scan moves the version again.
            table = new RoutingTable(version, registry.nodes(), scheme);
            current = table;
            outlets.retainOnly(table);
            return table;
        }
    }
}
