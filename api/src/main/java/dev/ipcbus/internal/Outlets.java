// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outlets a node has open, one per target node: opened on first use, kept while the target is in the routing
 * snapshot, dropped when it leaves, dies, or its outlet reports it gone. Each {@link RoutingTable.Peer} caches its
 * outlet in front of this map, so that a steady-state send makes no map look-up.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; opening is serialized (one outlet per node).
 */
final class Outlets {
    private final Transport transport;
    private final AtomicBoolean closed;
    private final ConcurrentHashMap<Long, Outlet> open = new ConcurrentHashMap<>();

    /**
     * @param transport opens the outlets.
     * @param closed    the node's closed flag: no outlet is kept once it is set.
     */
    Outlets(final Transport transport, final AtomicBoolean closed) {
        this.transport = transport;
        this.closed = closed;
    }

    /**
     * @param target the node.
     * @return its outlet: cached on the peer, else from this map, else opened now; {@code null} if the node closed
     * while it was being opened (it is not kept).
     * @throws dev.ipcbus.spi.InboxUnavailableException if its inbox is not there right now.
     * @throws dev.ipcbus.BusException                  if it cannot be opened for another reason.
     */
    Outlet of(final RoutingTable.Peer target) {
        final Outlet cached = target.outlet();
        if (cached != null) {
            return cached;
        }
        final Outlet existing = open.get(target.key());
        if (existing != null) {
            target.outlet(existing);
            return existing;
        }
        synchronized (open) {
            final Outlet again = open.get(target.key());
            if (again != null) {
                return again;
            }
            final Outlet created = transport.openOutlet(target.nodeId(), target.record().address());
            open.put(target.key(), created);
            if (closed.get()) {
                open.remove(target.key());
                created.close();
                return null;
            }
            target.outlet(created);
            return created;
        }
    }

    /**
     * Drops an outlet that reported its node gone, if it is still the one kept for the node.
     *
     * @param target the node.
     * @param outlet its outlet.
     */
    void drop(final RoutingTable.Peer target, final Outlet outlet) {
        target.forget(outlet);
        if (open.remove(target.key(), outlet)) {
            NodeAssembly.closeQuietly(outlet, null);
        }
    }

    /**
     * Drops the outlet of a node found dead.
     *
     * @param nodeId the node.
     */
    void drop(final long nodeId) {
        final Outlet outlet = open.remove(nodeId);
        if (outlet != null) {
            NodeAssembly.closeQuietly(outlet, null);
        }
    }

    /**
     * Drops the outlets of nodes that are not in a new routing snapshot.
     *
     * @param routing the new snapshot.
     */
    void retainOnly(final RoutingTable routing) {
        for (final Map.Entry<Long, Outlet> entry : open.entrySet()) {
            if (routing.peer(entry.getKey()) == null && open.remove(entry.getKey(), entry.getValue())) {
                NodeAssembly.closeQuietly(entry.getValue(), null);
            }
        }
    }

    /**
     * Closes every outlet, for the node's close.
     *
     * @param failure the close's failure so far, or {@code null}.
     * @return {@code failure}, or the first failure, with later ones suppressed.
     */
    RuntimeException closeAll(final RuntimeException failure) {
        RuntimeException result = failure;
        for (final Outlet outlet : open.values()) {
            result = NodeAssembly.closeQuietly(outlet, result);
        }
        open.clear();
        return result;
    }
}
