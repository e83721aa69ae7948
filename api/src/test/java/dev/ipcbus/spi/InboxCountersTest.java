// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InboxCountersTest {
    @TempDir
    Path temp;

    @Test
    void shouldCountInTheNodesStatisticsFileWhereAnotherMappingReadsThem() {
        final Path path = temp.resolve("0000000000000007.stats");
        final CounterFile file = CounterFile.openOrCreate(path, NodeCounters.MAGIC, NodeCounters.LAYOUT,
            NodeCounters.COUNT);
        final TransportContext context = new TransportContext("bus", new TransportOptions(Map.of()), temp,
            node -> true, Throwable::printStackTrace, node -> node == 7 ? file : null);
        final InboxCounters counters = context.inboxCounters(7);
        counters.onFramesRead(3, 300);
        counters.onFramesDropped(2);
        counters.onError();
        final Map<String, Long> read = NodeCounters.snapshot(CounterFile.openExisting(path, NodeCounters.MAGIC,
            NodeCounters.LAYOUT, NodeCounters.COUNT));
        assertEquals(3L, read.get("inboxFramesRead"));
        assertEquals(300L, read.get("inboxBytesRead"));
        assertEquals(2L, read.get("inboxFramesDropped"));
        assertEquals(1L, read.get("inboxErrors"));
        assertEquals(3L, counters.framesRead());
    }

    @Test
    void shouldKeepCountersInMemoryForANodeWithoutAStatisticsFile() {
        final TransportContext context = new TransportContext("bus", new TransportOptions(Map.of()), temp,
            node -> true, Throwable::printStackTrace);
        final InboxCounters counters = context.inboxCounters(9);
        counters.onFramesRead(1, 10);
        assertEquals(1L, counters.framesRead());
        assertEquals(10L, counters.bytesRead());
        assertEquals(0L, counters.errors());
    }
}
