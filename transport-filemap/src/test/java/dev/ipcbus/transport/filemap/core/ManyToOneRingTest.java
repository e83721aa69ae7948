package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManyToOneRingTest {
    @Test
    void shouldDeliverFramesInOrderAndZeroConsumedSpace() {
        final RingFixture fixture = new RingFixture(1024);
        for (int i = 0; i < 5; i++) {
            assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(10 + i, i)));
        }
        final List<Integer> seen = new ArrayList<>();
        final int delivered = fixture.reader.poll(frame -> {
            final int i = seen.size();
            assertTrue(RingFixture.matches(frame, 10 + i, i));
            seen.add(i);
        }, 100);
        assertEquals(5, delivered);
        assertTrue(fixture.ringIsZero());
        assertEquals(5, SegmentHeader.counters(fixture.region).get("framesWritten"));
        assertEquals(5, fixture.region.getLong(FRAMES_READ_OFFSET));
        assertEquals(10 + 11 + 12 + 13 + 14, fixture.region.getLong(BYTES_READ_OFFSET));
        assertEquals(fixture.region.getLong(TAIL_OFFSET), fixture.region.getLong(HEAD_OFFSET));
        assertTrue(fixture.errors.isEmpty());
    }

    @Test
    void shouldLeaveTheFrameBufferIndexesUnchanged() {
        final RingFixture fixture = new RingFixture(1024);
        final ByteBuf frame = RingFixture.frame(20, 3);
        frame.readerIndex(4);
        fixture.ring.write(frame);
        assertEquals(4, frame.readerIndex());
        assertEquals(20, frame.writerIndex());
        fixture.reader.poll(received -> assertEquals(16, received.readableBytes()), 10);
    }

    @Test
    void shouldRefuseFramesAboveCapacityOverEight() {
        final RingFixture fixture = new RingFixture(1024);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> fixture.ring.write(RingFixture.frame(129, 0)));
        assertTrue(ex.getMessage().contains("frameLength=129"), ex.getMessage());
        assertTrue(ex.getMessage().contains("maxFrameLength=128"), ex.getMessage());
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(128, 0)));
    }

    @Test
    void shouldReportInsufficientCapacityUntilTheReaderMoves() {
        final RingFixture fixture = new RingFixture(1024);
        int written = 0;
        while (fixture.ring.write(RingFixture.frame(120, written)) == ManyToOneRing.WRITTEN) {
            written++;
        }
        assertEquals(1024 / 128, written);
        assertEquals(ManyToOneRing.INSUFFICIENT_CAPACITY, fixture.ring.write(RingFixture.frame(1, 0)));
        assertEquals(1, fixture.reader.poll(frame -> { }, 1));
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(120, 99)));
    }

    @Test
    void shouldPadTheEndOfTheRingWhenARecordDoesNotFit() {
        final RingFixture fixture = new RingFixture(1024);
        // 7 records of 136 bytes = 952; the next 136-byte record does not fit in the last 72 bytes.
        for (int i = 0; i < 7; i++) {
            fixture.ring.write(RingFixture.frame(128, i));
        }
        fixture.reader.poll(frame -> { }, 100);
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(128, 7)));
        final int paddingAt = HEADER_LENGTH + 952;
        assertEquals(72, fixture.region.getInt(paddingAt));
        assertEquals(RecordDescriptor.TYPE_PADDING, fixture.region.getInt(paddingAt + 4));
        assertEquals(136, fixture.region.getInt(HEADER_LENGTH));
        assertEquals(952 + 72 + 136, fixture.region.getLong(TAIL_OFFSET));
        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(128), lengths);
        assertTrue(fixture.ringIsZero());
    }

    @RepeatedTest(25)
    void shouldKeepOrderAndContentWithRandomSizesAcrossWraps(final RepetitionInfo repetition) {
        final long seed = 0x5EED0000L + repetition.getCurrentRepetition();
        final Random random = new Random(seed);
        final int capacity = 1024 << random.nextInt(4);
        final RingFixture fixture = new RingFixture(capacity);
        final int maxFrame = capacity / 8;
        final ArrayDeque<int[]> expected = new ArrayDeque<>();
        final AtomicReference<String> mismatch = new AtomicReference<>();
        int next = 0;
        for (int step = 0; step < 3000; step++) {
            if (random.nextInt(3) != 0) {
                final int length = 1 + random.nextInt(maxFrame);
                if (fixture.ring.write(RingFixture.frame(length, next)) == ManyToOneRing.WRITTEN) {
                    expected.add(new int[] {length, next});
                    next++;
                }
            } else {
                fixture.reader.poll(frame -> {
                    final int[] want = expected.poll();
                    if (want == null || !RingFixture.matches(frame, want[0], want[1])) {
                        mismatch.compareAndSet(null, "seed=" + seed + ", frame=" + (want == null ? -1 : want[1]));
                    }
                }, 1 + random.nextInt(8));
            }
        }
        while (fixture.reader.poll(frame -> {
            final int[] want = expected.poll();
            if (want == null || !RingFixture.matches(frame, want[0], want[1])) {
                mismatch.compareAndSet(null, "seed=" + seed);
            }
        }, 100) > 0) {
            // drain
        }
        assertNull(mismatch.get());
        assertTrue(expected.isEmpty(), "seed=" + seed);
        assertTrue(fixture.ringIsZero(), "seed=" + seed);
        assertTrue(next > 100, "seed=" + seed);
    }

    @Test
    void shouldRingOnlyWhenTheReaderSaysItWaits() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(8, 0));
        assertEquals(0, fixture.doorbell.rings.get());
        fixture.region.putIntVolatile(WAITING_OFFSET, 1);
        final int sequence = fixture.region.getIntVolatile(DOORBELL_SEQ_OFFSET);
        fixture.ring.write(RingFixture.frame(8, 1));
        assertEquals(1, fixture.doorbell.rings.get());
        assertEquals(0, fixture.region.getIntVolatile(WAITING_OFFSET));
        assertEquals(sequence + 1, fixture.region.getIntVolatile(DOORBELL_SEQ_OFFSET));
        fixture.ring.write(RingFixture.frame(8, 2));
        assertEquals(1, fixture.doorbell.rings.get());
        assertEquals(1, fixture.region.getLong(DOORBELL_RINGS_OFFSET));
    }

    @Test
    void shouldSkipAClaimedRecordWhoseWriterDiedAfterMarkingIt() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        // A writer claims 48 bytes, marks the record claimed, writes part of its body, and dies.
        final long tail = fixture.region.getLong(TAIL_OFFSET);
        assertTrue(fixture.region.compareAndSetLong(TAIL_OFFSET, tail, tail + 48));
        final int at = HEADER_LENGTH + (int) tail;
        fixture.region.putIntOpaque(at, -44);
        fixture.region.putLong(at + 16, -1L);
        fixture.ring.write(RingFixture.frame(20, 2));

        assertSkipsAfterTimeout(fixture, 48);
    }

    @Test
    void shouldSkipAClaimWhoseWriterDiedBeforeMarkingIt() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        final long tail = fixture.region.getLong(TAIL_OFFSET);
        assertTrue(fixture.region.compareAndSetLong(TAIL_OFFSET, tail, tail + 64));
        fixture.ring.write(RingFixture.frame(20, 2));

        assertSkipsAfterTimeout(fixture, 64);
    }

    @Test
    void shouldSkipAnUnmarkedClaimThatWrapsWithPadding() {
        final RingFixture fixture = new RingFixture(1024);
        for (int i = 0; i < 7; i++) {
            fixture.ring.write(RingFixture.frame(128, i));
        }
        assertEquals(7, fixture.reader.poll(frame -> { }, 100));
        fixture.ring.write(RingFixture.frame(16, 0));
        // Head and tail at 976: a dead writer claims padding (48) plus a 136-byte record, and never writes.
        final long tail = fixture.region.getLong(TAIL_OFFSET);
        assertEquals(976, tail);
        assertTrue(fixture.region.compareAndSetLong(TAIL_OFFSET, tail, tail + 48 + 136));
        fixture.ring.write(RingFixture.frame(20, 2));

        assertSkipsAfterTimeout(fixture, 48 + 136);
    }

    private static void assertSkipsAfterTimeout(final RingFixture fixture, final long skippedBytes) {
        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(0, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        final long timeout = TimeUnit.MILLISECONDS.toNanos(100);
        final long start = System.nanoTime();
        assertFalse(fixture.reader.skipStalled(start, timeout));
        assertFalse(fixture.reader.skipStalled(start + timeout - 1, timeout));
        assertTrue(fixture.reader.skipStalled(start + timeout, timeout));
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16, 20), lengths);
        assertEquals(1, fixture.region.getLong(SKIPPED_RECORDS_OFFSET));
        assertEquals(skippedBytes, fixture.region.getLong(SKIPPED_BYTES_OFFSET));
        assertEquals(1, fixture.errors.size());
        assertTrue(fixture.errors.get(0) instanceof BusException);
        assertTrue(fixture.ringIsZero());
        assertFalse(fixture.reader.skipStalled(start + 10 * timeout, timeout));
    }

    @Test
    void shouldNotSkipWhenTheRingIsMerelyEmpty() {
        final RingFixture fixture = new RingFixture(1024);
        assertFalse(fixture.reader.skipStalled(0, 1));
        assertFalse(fixture.reader.skipStalled(Long.MAX_VALUE / 2, 1));
        assertEquals(0, fixture.reader.skippedRecords());
    }

    @Test
    void shouldResynchronizeOnACorruptRecordAndReportIt() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        fixture.region.putInt(HEADER_LENGTH + 4, 99);
        fixture.ring.write(RingFixture.frame(16, 1));
        assertEquals(0, fixture.reader.poll(frame -> { }, 100));
        assertEquals(1, fixture.errors.size());
        assertEquals(1, fixture.region.getLong(CORRUPT_RECORDS_OFFSET));
        assertEquals(fixture.region.getLong(TAIL_OFFSET), fixture.region.getLong(HEAD_OFFSET));
        fixture.ring.write(RingFixture.frame(16, 2));
        assertEquals(1, fixture.reader.poll(frame -> { }, 100));
    }

    @Test
    void shouldReportListenerFailuresAndKeepGoing() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        fixture.ring.write(RingFixture.frame(16, 1));
        final int[] calls = {0};
        assertEquals(2, fixture.reader.poll(frame -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("boom");
            }
        }, 100));
        assertEquals(1, fixture.errors.size());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryFrameOnceInPerWriterOrderWithConcurrentWriters() throws Exception {
        final int writers = 4;
        final int perWriter = 50_000;
        final RingFixture fixture = new RingFixture(16 * 1024);
        final Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            threads[w] = new Thread(() -> {
                final ByteBuf frame = io.netty.buffer.Unpooled.buffer(64);
                final Random random = new Random(writer);
                for (int seq = 0; seq < perWriter; seq++) {
                    frame.clear();
                    frame.writeIntLE(writer);
                    frame.writeIntLE(seq);
                    frame.writeZero(random.nextInt(48));
                    while (fixture.ring.write(frame) != ManyToOneRing.WRITTEN) {
                        Thread.yield();
                    }
                }
            });
            threads[w].start();
        }
        final int[] next = new int[writers];
        final AtomicReference<String> failure = new AtomicReference<>();
        int received = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
        while (received < writers * perWriter && System.nanoTime() < deadline) {
            final int n = fixture.reader.poll(frame -> {
                final int writer = frame.getIntLE(frame.readerIndex());
                final int seq = frame.getIntLE(frame.readerIndex() + 4);
                if (next[writer] != seq) {
                    failure.compareAndSet(null, "writer=" + writer + ", expected=" + next[writer] + ", got=" + seq);
                }
                next[writer] = seq + 1;
            }, 64);
            if (n == 0) {
                Thread.yield();
            }
            received += n;
        }
        for (final Thread thread : threads) {
            thread.join(5_000);
        }
        assertNull(failure.get());
        assertEquals(writers * perWriter, received);
        assertEquals(0, fixture.reader.poll(frame -> { }, 64));
        assertTrue(fixture.ringIsZero());
        assertEquals(writers * perWriter, SegmentHeader.counters(fixture.region).get("framesWritten"));
        assertTrue(fixture.errors.isEmpty());
    }

    @Test
    void shouldDeliverAFrameEncodedInPlaceExactlyAsACopiedOne() {
        final RingFixture fixture = new RingFixture(1024);
        final ByteBuf source = RingFixture.frame(37, 5);
        final int[] calls = {0};
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write((buffer, index) -> {
            calls[0]++;
            buffer.setBytes(index, source, 0, 37);
        }, 37));
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(37, 5)));
        final List<Boolean> seen = new ArrayList<>();
        assertEquals(2, fixture.reader.poll(frame -> seen.add(RingFixture.matches(frame, 37, 5)), 10));
        assertEquals(List.of(true, true), seen);
        assertEquals(1, calls[0]);
        assertTrue(fixture.ringIsZero());
    }

    @Test
    void shouldNotCallTheWriterWhenTheRingIsFull() {
        final RingFixture fixture = new RingFixture(1024);
        while (fixture.ring.write(RingFixture.frame(120, 0)) == ManyToOneRing.WRITTEN) {
            assertTrue(fixture.errors.isEmpty());
        }
        assertEquals(ManyToOneRing.INSUFFICIENT_CAPACITY, fixture.ring.write((buffer, index) -> {
            throw new AssertionError("writer called without space");
        }, 8));
    }

    @Test
    void shouldTurnTheSpaceOfAFailedInPlaceWriterIntoPaddingTheReaderSkips() {
        final RingFixture fixture = new RingFixture(1024);
        final IllegalStateException failure = new IllegalStateException("payload released");
        final IllegalStateException thrown = assertThrows(IllegalStateException.class,
            () -> fixture.ring.write((buffer, index) -> {
                buffer.setBytes(index, RingFixture.frame(16, 1), 0, 16); // half written, then the writer fails
                throw failure;
            }, 40));
        assertEquals(failure, thrown);
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(24, 7)));
        final List<Boolean> seen = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> seen.add(RingFixture.matches(frame, 24, 7)), 10));
        assertEquals(List.of(true), seen);
        assertTrue(fixture.ringIsZero());
        assertTrue(fixture.errors.isEmpty(), fixture.errors.toString());
        assertEquals(fixture.region.getLong(TAIL_OFFSET), fixture.region.getLong(HEAD_OFFSET));
    }
}
