// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Holds the counter-file tables of docs/PROTOCOL.md (section 2.3) to the bytes the code writes: magic and layout,
 * every {@code .stats} counter at its offset, little-endian, and the file lengths.
 */
class CounterFileLayoutTest {
    /** The {@code .stats} counters in the order of the table: counter i is at offset 8 + 8 i. */
    private static final List<String> STATS_COUNTERS = List.of("framesSent", "bytesSent", "framesReceived",
        "bytesReceived", "malformedFrames", "handlerErrors", "backpressureTimeouts", "requestsSent",
        "requestsTimedOut", "repliesSent", "inboxFramesRead", "inboxBytesRead", "inboxFramesDropped", "inboxErrors");

    @TempDir
    Path temp;

    @Test
    void shouldWriteTheStatisticsFileAsDocumented() throws Exception {
        final Path path = temp.resolve("0000000000000001.stats");
        final CounterFile counters = CounterFile.openOrCreate(path, NodeCounters.MAGIC, NodeCounters.LAYOUT,
            NodeCounters.COUNT);
        for (int i = 0; i < NodeCounters.COUNT; i++) {
            counters.add(i, 1000L + i);
        }
        assertEquals(STATS_COUNTERS, List.copyOf(NodeCounters.snapshot(counters).keySet()));
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(120, bytes.capacity());
        assertEquals(0x434E4249, bytes.getInt(0), "magic IBNC");
        assertEquals('I', bytes.get(0));
        assertEquals(2, bytes.getInt(4), "layout");
        for (int i = 0; i < STATS_COUNTERS.size(); i++) {
            assertEquals(1000L + i, bytes.getLong(8 + 8 * i), STATS_COUNTERS.get(i));
        }
    }

    @Test
    void shouldWriteTheChangeCounterAsDocumented() throws Exception {
        final Path path = temp.resolve("registry.version");
        CounterFile.openOrCreate(path, FileNodeRegistry.VERSION_MAGIC, FileNodeRegistry.VERSION_LAYOUT, 1).add(0, 7);
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(16, bytes.capacity());
        assertEquals(0x56524249, bytes.getInt(0), "magic IBRV");
        assertEquals(1, bytes.getInt(4), "layout");
        assertEquals(7, bytes.getLong(8));
    }
}
