// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry of a bus whose nodes all live in this JVM (the {@code inproc} transport): a JVM-wide table per bus
 * name. A registered node is alive until it deregisters.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class InMemoryNodeRegistry implements NodeRegistry {
    private static final ConcurrentHashMap<String, Table> TABLES = new ConcurrentHashMap<>();

    private final Table table;

    private static final class Table {
        final ConcurrentHashMap<Long, NodeRecord> nodes = new ConcurrentHashMap<>();
        final AtomicLong version = new AtomicLong();
        final ConcurrentHashMap<Long, CounterFile> counters = new ConcurrentHashMap<>();
    }

    /**
     * @param key the bus's key, e.g. {@code inproc/shop}.
     */
    public InMemoryNodeRegistry(final String key) {
        this.table = TABLES.computeIfAbsent(key, k -> new Table());
    }

    @Override
    public void register(final NodeRecord record) {
        table.counters.put(NodeIds.parse(record.id()), CounterFile.inMemory(NodeCounters.COUNT));
        table.nodes.put(NodeIds.parse(record.id()), record);
        table.version.incrementAndGet();
    }

    @Override
    public void update(final NodeRecord record) {
        table.nodes.put(NodeIds.parse(record.id()), record);
        table.version.incrementAndGet();
    }

    @Override
    public void unlist(final long nodeId) {
        if (table.nodes.remove(nodeId) != null) {
            table.version.incrementAndGet();
        }
    }

    @Override
    public void deregister(final long nodeId) {
        table.counters.remove(nodeId);
        if (table.nodes.remove(nodeId) != null) {
            table.version.incrementAndGet();
        }
    }

    @Override
    public long version() {
        return table.version.get();
    }

    @Override
    public CounterFile counters(final long nodeId) {
        return table.counters.get(nodeId);
    }

    @Override
    public List<NodeRecord> nodes() {
        return new ArrayList<>(table.nodes.values());
    }

    @Override
    public boolean isAlive(final long nodeId) {
        return table.nodes.containsKey(nodeId);
    }

    @Override
    public void close() {
        // the table is shared by every node of the bus in this JVM
    }
}
