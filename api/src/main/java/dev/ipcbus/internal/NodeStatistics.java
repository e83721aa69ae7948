// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.NodeInfo;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.registry.NodeRegistry;
import dev.ipcbus.spi.NodeIds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@link dev.ipcbus.Bus#nodes()}: every node of the bus with its liveness, its registry record, its
 * counters ({@link NodeCounters}, its inbox's included, from its statistics file). Checking liveness reclaims the dead
 * on the way; a node killed before it was listed is reported by its id alone.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class NodeStatistics {
    private final String scheme;
    private final NodeRegistry registry;
    private final CounterFile counters;
    private final TrafficCounters traffic;

    /**
     * @param node the node's parts.
     */
    NodeStatistics(final NodeAssembly node) {
        this.scheme = node.uri().scheme();
        this.registry = node.registry();
        this.counters = node.counters();
        this.traffic = node.traffic();
    }

    /**
     * @return this node's counters, up to date: {@link NodeCounters}, its inbox's included.
     */
    Map<String, Long> counters() {
        traffic.flush();
        return counters == null ? new LinkedHashMap<>() : new LinkedHashMap<>(NodeCounters.snapshot(counters));
    }

    /**
     * @return the nodes, this one's counters up to date.
     */
    List<NodeInfo> nodes() {
        traffic.flush();
        final List<NodeInfo> nodes = new ArrayList<>();
        for (final long unlisted : registry.reclaimUnlisted()) {
            // Killed before it was listed: only its id is known.
            nodes.add(new NodeInfo(NodeIds.format(unlisted), 0, null, scheme, null, 0, List.of(), List.of(),
                false, Map.of()));
        }
        for (final NodeRecord record : registry.nodes()) {
            final long id = NodeIds.parse(record.id());
            final boolean alive = registry.isAlive(id);
            final Map<String, Long> values = new LinkedHashMap<>();
            final CounterFile nodeCounters = alive ? registry.counters(id) : null;
            if (nodeCounters != null) {
                values.putAll(NodeCounters.snapshot(nodeCounters));
            }
            nodes.add(new NodeInfo(record.id(), record.pid(), record.name(), record.transport(), record.address(),
                record.startedMillis(), record.subscriptions(), record.responders(), alive, values));
        }
        return nodes;
    }
}
