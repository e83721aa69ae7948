// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.IncompatibleVersionException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentHeaderTest {
    private static SharedRegion region(final int capacity) {
        return new SharedRegion(ByteBuffer.allocateDirect(segmentLength(capacity)));
    }

    @Test
    void shouldWriteEveryFieldAndTheVersionLast() {
        final SharedRegion region = region(1024);
        assertEquals(SegmentHeader.INITIALIZED, SegmentHeader.initialize(region, 1024, 42, 7, 1_000_000, "s"));
        assertEquals(VERSION, region.getInt(VERSION_OFFSET));
        assertEquals(MAGIC, region.getInt(MAGIC_OFFSET));
        assertEquals(1024, region.getInt(CAPACITY_OFFSET));
        assertEquals(128, region.getInt(MAX_FRAME_LENGTH_OFFSET));
        assertEquals(42, region.getLong(OWNER_NODE_OFFSET));
        assertEquals(7, region.getLong(OWNER_PID_OFFSET));
        assertEquals(READER_OPEN, region.getInt(READER_STATE_OFFSET));
        assertEquals(1024, SegmentHeader.validate(region, "s"));
    }

    @RepeatedTest(20)
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldLetExactlyOneOfManyConcurrentCreatorsInitialize() throws Exception {
        final SharedRegion region = region(4096);
        final int parties = 4;
        final ExecutorService pool = Executors.newFixedThreadPool(parties);
        try {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<Integer>> outcomes = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                final long node = i + 1;
                outcomes.add(pool.submit(() -> {
                    start.await();
                    return SegmentHeader.initialize(region, 4096, node, node, TimeUnit.SECONDS.toNanos(5), "s");
                }));
            }
            start.countDown();
            int initialized = 0;
            for (final Future<Integer> outcome : outcomes) {
                if (outcome.get() == SegmentHeader.INITIALIZED) {
                    initialized++;
                } else {
                    assertEquals(SegmentHeader.JOINED, outcome.get());
                }
            }
            assertEquals(1, initialized);
            assertEquals(4096, SegmentHeader.validate(region, "s"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseAndNeverOverwriteAWrongMagic() {
        final SharedRegion region = region(1024);
        region.putInt(MAGIC_OFFSET, 0x12345678);
        final BusException ex = assertThrows(BusException.class,
            () -> SegmentHeader.initialize(region, 1024, 1, 1, 1_000_000, "/dev/shm/x"));
        assertTrue(ex.getMessage().contains("not an ipcbus filemap segment"), ex.getMessage());
        assertTrue(ex.getMessage().contains("magic=0x12345678"), ex.getMessage());
        assertEquals(0x12345678, region.getInt(MAGIC_OFFSET));
        assertEquals(0, region.getLong(INIT_CLAIM_OFFSET));
        assertThrows(BusException.class, () -> SegmentHeader.awaitReady(region, 1_000_000, "x"));
    }

    @Test
    void shouldRefuseANewerMajorVersion() {
        final SharedRegion region = region(1024);
        SegmentHeader.initialize(region, 1024, 1, 1, 1_000_000, "s");
        region.putIntRelease(VERSION_OFFSET, (3 << 16) | 3);
        final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
            () -> SegmentHeader.validate(region, "s"));
        assertTrue(ex.getMessage().contains("version=3.3"), ex.getMessage());
        assertTrue(ex.getMessage().contains("supported=2.0"), ex.getMessage());
    }

    @Test
    void shouldRefuseTheOlderMajorVersionWhoseWritersMarkClaimsWithoutCompareAndSet() {
        final SharedRegion region = region(1024);
        SegmentHeader.initialize(region, 1024, 1, 1, 1_000_000, "s");
        region.putIntRelease(VERSION_OFFSET, 1 << 16);
        final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
            () -> SegmentHeader.validate(region, "s"));
        assertTrue(ex.getMessage().contains("version=1.0"), ex.getMessage());
    }

    @Test
    void shouldAcceptANewerMinorVersion() {
        final SharedRegion region = region(1024);
        SegmentHeader.initialize(region, 1024, 1, 1, 1_000_000, "s");
        region.putIntRelease(VERSION_OFFSET, (2 << 16) | 9);
        assertEquals(1024, SegmentHeader.validate(region, "s"));
    }

    @Test
    @Timeout(5)
    void shouldTimeOutWhenTheCreatorNeverSignalsReady() {
        final SharedRegion region = region(1024);
        region.compareAndSetLong(INIT_CLAIM_OFFSET, 0, 99);
        final BusException ex = assertThrows(BusException.class, () -> SegmentHeader.initialize(region, 1024, 1, 1,
            TimeUnit.MILLISECONDS.toNanos(50), "seg"));
        assertTrue(ex.getMessage().contains("never became ready"), ex.getMessage());
    }

    @Test
    void shouldRefuseATruncatedSegment() {
        final SharedRegion big = region(2048);
        SegmentHeader.initialize(big, 2048, 1, 1, 1_000_000, "s");
        final ByteBuffer shortView = big.buffer().duplicate().limit(segmentLength(1024)).slice();
        final BusException ex = assertThrows(BusException.class,
            () -> SegmentHeader.validate(new SharedRegion(shortView), "s"));
        assertTrue(ex.getMessage().contains("shorter"), ex.getMessage());
    }

    @Test
    void shouldCountFramesWrittenAsReadPlusPublishedInTheRing() {
        final RingFixture fixture = new RingFixture(1024);
        for (int i = 0; i < 9; i++) {
            fixture.ring.write(RingFixture.frame(100, i));
            fixture.reader.poll(frame -> { }, i % 2);
        }
        final var counters = SegmentHeader.counters(fixture.region);
        assertEquals(9, counters.get("framesWritten"), counters.toString());
        assertEquals(4, counters.get("framesRead"), counters.toString());
    }

    @Test
    void shouldExposeCounters() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(10, 0));
        fixture.reader.poll(frame -> { }, 10);
        final var counters = SegmentHeader.counters(fixture.region);
        assertEquals(1, counters.get("framesWritten"));
        assertEquals(1, counters.get("framesRead"));
        assertEquals(10, counters.get("bytesRead"));
        assertEquals(1024, counters.get("capacity"));
        assertEquals(0, counters.get("readerClosed"));
    }
}
