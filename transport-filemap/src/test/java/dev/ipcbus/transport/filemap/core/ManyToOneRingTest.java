// SPDX-License-Identifier: Apache-2.0
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
    void shouldNeverReadItsOwnConsumedSpaceWhenTheRingIsExactlyFull() {
        // Issue 13, item 1: 8 records of 128 bytes fill a 1 KiB ring exactly; a poll that went on past one capacity
        // read its own consumed (not yet zeroed) records again and delivered them twice.
        final RingFixture fixture = new RingFixture(1024);
        for (int i = 0; i < 8; i++) {
            assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(120, i)));
        }
        final List<Integer> seen = new ArrayList<>();
        assertEquals(8, fixture.reader.poll(frame -> seen.add((int) frame.getUnsignedByte(frame.readerIndex())), 100));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), seen);
        assertEquals(0, fixture.reader.poll(frame -> { }, 100));
        assertTrue(fixture.ringIsZero());
        assertTrue(fixture.errors.isEmpty(), fixture.errors.toString());
    }

    @Test
    void shouldNeverReadItsOwnConsumedSpaceWhenPaddingCompletesAFullRing() {
        final RingFixture fixture = new RingFixture(4096);
        // 3 x 208 = 624 consumed; then 208-byte records fill [624, 4096) with padding and wrap to fill up to 624.
        for (int i = 0; i < 3; i++) {
            fixture.ring.write(RingFixture.frame(200, i));
        }
        assertEquals(3, fixture.reader.poll(frame -> { }, 100));
        int written = 0;
        while (fixture.ring.write(RingFixture.frame(200, 100 + written)) == ManyToOneRing.WRITTEN) {
            written++;
        }
        final List<Boolean> seen = new ArrayList<>();
        final int[] next = {100};
        assertEquals(16 + 3, written);
        assertEquals(fixture.reader.head() + 4096, fixture.region.getLong(TAIL_OFFSET));
        assertEquals(written, fixture.reader.poll(frame -> seen.add(RingFixture.matches(frame, 200, next[0]++)), 100));
        assertFalse(seen.contains(false));
        assertEquals(fixture.region.getLong(TAIL_OFFSET), fixture.reader.head());
        assertTrue(fixture.errors.isEmpty(), fixture.errors.toString());
    }

    @Test
    void shouldNotSkipAMarkedClaimWhileItsWriterIsAliveAndSkipItOnceItIsGone() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        // Another process (pid 4242) claims 48 bytes, marks them, writes part of its body, and stops.
        final long claimedAt = claimByHand(fixture, 48, RecordDescriptor.claimMark(44, 4242));
        fixture.region.putLong(HEADER_LENGTH + (int) claimedAt + 16, -1L);
        fixture.ring.write(RingFixture.frame(20, 2));
        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));

        final long timeout = TimeUnit.MILLISECONDS.toNanos(100);
        final long start = System.nanoTime();
        assertFalse(fixture.reader.skipStalled(start, timeout));
        for (int i = 1; i <= 50; i++) {
            assertFalse(fixture.reader.skipStalled(start + i * timeout, timeout), "alive writer skipped");
        }
        assertEquals(0, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(1, fixture.region.getLong(LIVE_WRITER_WAITS_OFFSET));
        assertEquals(1, fixture.errors.size(), "reported once per stall: " + fixture.errors);
        assertTrue(fixture.errors.get(0).getMessage().contains("writerPid=4242"), fixture.errors.get(0).getMessage());

        fixture.deadPids.add(4242L);
        assertTrue(fixture.reader.skipStalled(start + 60 * timeout, timeout));
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16, 20), lengths);
        assertEquals(1, fixture.region.getLong(SKIPPED_RECORDS_OFFSET));
        assertEquals(48, fixture.region.getLong(SKIPPED_BYTES_OFFSET));
        assertEquals(2, fixture.errors.size());
        assertTrue(fixture.errors.get(1).getMessage().contains("died"), fixture.errors.get(1).getMessage());
        assertTrue(fixture.ringIsZero());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSkipAnUnmarkedClaimWithSentinelsAndHaveItsWriterClaimAgain() throws Exception {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        final StoppedWriter stopped = new StoppedWriter(fixture, RingFixture.frame(40, 1));
        fixture.ring.write(RingFixture.frame(20, 2));

        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        skipAfterTimeout(fixture);
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16, 20), lengths);
        assertEquals(48, fixture.region.getLong(SKIPPED_BYTES_OFFSET));
        assertTrue(fixture.errors.get(0).getMessage().contains("unmarked"), fixture.errors.get(0).getMessage());

        assertEquals(ManyToOneRing.SKIPPED, stopped.resume(), "the resumed writer must learn it was skipped");
        assertTrue(fixture.ringIsFree(), "the skipped writer wrote into the skipped space");
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(40, 1)));
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16, 20, 40), lengths);
        assertEquals(1, fixture.errors.size(), fixture.errors.toString());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSkipAnUnmarkedClaimThatWrapsWithPaddingAndHaveItsWriterClaimAgain() throws Exception {
        final RingFixture fixture = new RingFixture(1024);
        for (int i = 0; i < 7; i++) {
            fixture.ring.write(RingFixture.frame(128, i));
        }
        assertEquals(7, fixture.reader.poll(frame -> { }, 100));
        fixture.ring.write(RingFixture.frame(16, 0));
        assertEquals(976, fixture.region.getLong(TAIL_OFFSET));
        // Claims padding (48) plus a 136-byte record, and stops before writing either header.
        final StoppedWriter stopped = new StoppedWriter(fixture, RingFixture.frame(128, 9));
        assertEquals(976 + 48 + 136, fixture.region.getLong(TAIL_OFFSET));
        fixture.ring.write(RingFixture.frame(20, 2));

        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        skipAfterTimeout(fixture);
        assertEquals(48 + 136, fixture.region.getLong(SKIPPED_BYTES_OFFSET));
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(ManyToOneRing.SKIPPED, stopped.resume());
        assertTrue(fixture.ringIsFree());
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(128, 9)));
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16, 20, 128), lengths);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldHaveAWriterClaimAgainWhenItsSentinelWasZeroedByALaterLap() throws Exception {
        final RingFixture fixture = new RingFixture(1024);
        final StoppedWriter stopped = new StoppedWriter(fixture, RingFixture.frame(40, 1));
        skipAfterTimeout(fixture);
        // More than a lap of traffic, consumed: the sentinel at position 0 is zeroed with the rest.
        for (int i = 0; i < 24; i++) {
            assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(120, i)));
            assertEquals(1, fixture.reader.poll(frame -> { }, 100));
        }
        assertEquals(0, fixture.region.getLong(HEADER_LENGTH));
        assertEquals(ManyToOneRing.SKIPPED, stopped.resume());
        assertTrue(fixture.ringIsFree());
        assertServesAgain(fixture, 40, 1);
    }

    @Test
    void shouldDropUpToTheTailOnAnImpossibleLengthWithoutMovingTheHeadBack() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        // Longer than any frame this ring takes.
        final long tail = publishPastItsClaim(fixture, 520);
        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> lengths.add(frame.readableBytes()), 100));
        assertEquals(List.of(16), lengths);
        assertEquals(tail, fixture.reader.head());
        assertEquals(1, fixture.region.getLong(CORRUPT_RECORDS_OFFSET));
        assertEquals(1, fixture.errors.size());
        assertTrue(fixture.ringIsZero());
        assertServesAgain(fixture, 16, 3);
        assertFalse(fixture.reader.skipStalled(0, 1));
    }

    @Test
    void shouldRepairTheRingWhenAPossibleLengthPassedItsClaimWithoutMovingTheHeadBack() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        // A possible length (the max frame), past its claim.
        final long tail = publishPastItsClaim(fixture, 136);
        assertEquals(2, fixture.reader.poll(frame -> { }, 100));
        final long head = fixture.reader.head();
        assertTrue(head > tail);
        // Seen when the reader next idles: reported once, the tail reset to the head, the head kept.
        assertTrue(fixture.reader.skipStalled(0, 1));
        assertFalse(fixture.reader.skipStalled(1, 1));
        assertEquals(head, fixture.reader.head());
        assertEquals(head, fixture.region.getLong(TAIL_OFFSET));
        assertEquals(1, fixture.errors.size(), fixture.errors.toString());
        assertServesAgain(fixture, 16, 3);
    }

    @Test
    void shouldReportAnImpossibleHeaderBeyondTheClaimsOnceAndWipeIt() {
        final RingFixture fixture = new RingFixture(1024);
        // Garbage where nothing was claimed (head == tail == 0), with a length no frame of this ring can have.
        fixture.region.putLong(HEADER_LENGTH, RecordDescriptor.header(640, RecordDescriptor.TYPE_FRAME));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, fixture.reader.poll(frame -> { }, 100));
        }
        assertEquals(1, fixture.errors.size(), fixture.errors.toString());
        assertEquals(0, fixture.reader.head());
        assertTrue(fixture.ringIsZero());
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(16, 3)));
        assertEquals(1, fixture.reader.poll(frame -> { }, 100));
    }

    @Test
    void shouldRepairATailMovedFarAheadReportingItOnce() {
        final RingFixture fixture = new RingFixture(1024);
        fixture.ring.write(RingFixture.frame(16, 0));
        assertEquals(1, fixture.reader.poll(frame -> { }, 100));
        final long head = fixture.reader.head();
        fixture.region.putLongRelease(TAIL_OFFSET, head + (1L << 40));
        assertEquals(ManyToOneRing.INSUFFICIENT_CAPACITY, fixture.ring.write(RingFixture.frame(16, 1)));
        final long start = System.nanoTime();
        assertTrue(fixture.reader.skipStalled(start, 1));
        assertEquals(head, fixture.region.getLong(TAIL_OFFSET));
        assertEquals(head, fixture.reader.head());
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(16, 1)));
        assertEquals(1, fixture.reader.poll(frame -> { }, 100));
        fixture.region.putLongRelease(TAIL_OFFSET, 3);
        for (int i = 0; i < 5; i++) {
            fixture.reader.skipStalled(start + i, 1);
        }
        assertEquals(2, fixture.errors.size(), fixture.errors.toString());
        assertEquals(fixture.reader.head(), fixture.region.getLong(TAIL_OFFSET));
    }

    /**
     * A foreign writer claims 24 bytes and publishes a frame record of {@code publishedLength} there.
     *
     * @return the tail after the claim.
     */
    private static long publishPastItsClaim(final RingFixture fixture, final int publishedLength) {
        final long at = claimByHand(fixture, 24, RecordDescriptor.claimMark(24, 99));
        fixture.region.putLongRelease(HEADER_LENGTH + (int) at,
            RecordDescriptor.header(publishedLength, RecordDescriptor.TYPE_FRAME));
        return fixture.region.getLong(TAIL_OFFSET);
    }

    /** Writes one frame and asserts the next poll delivers exactly it. */
    private static void assertServesAgain(final RingFixture fixture, final int length, final int seed) {
        assertEquals(ManyToOneRing.WRITTEN, fixture.ring.write(RingFixture.frame(length, seed)));
        final List<Boolean> seen = new ArrayList<>();
        assertEquals(1, fixture.reader.poll(frame -> seen.add(RingFixture.matches(frame, length, seed)), 100));
        assertEquals(List.of(true), seen);
    }

    /** Claims {@code aligned} bytes at the tail the way a writer does and puts {@code header} there; returns the index. */
    private static long claimByHand(final RingFixture fixture, final int aligned, final long header) {
        final long tail = fixture.region.getLong(TAIL_OFFSET);
        assertTrue(fixture.region.compareAndSetLong(TAIL_OFFSET, tail, tail + aligned));
        final int index = (int) tail & (fixture.region.getInt(CAPACITY_OFFSET) - 1);
        assertTrue(fixture.region.compareAndSetLong(HEADER_LENGTH + index, 0, header));
        return index;
    }

    private static void skipAfterTimeout(final RingFixture fixture) {
        final long timeout = TimeUnit.MILLISECONDS.toNanos(100);
        final long start = System.nanoTime();
        assertFalse(fixture.reader.skipStalled(start, timeout));
        assertFalse(fixture.reader.skipStalled(start + timeout - 1, timeout));
        assertTrue(fixture.reader.skipStalled(start + timeout, timeout));
        assertEquals(1, fixture.region.getLong(SKIPPED_RECORDS_OFFSET));
    }

    /** A writer thread stopped between its tail compare-and-set and its mark, as a SIGSTOP can stop one. */
    private static final class StoppedWriter {
        private final CountDownLatch claimed = new CountDownLatch(1);
        private final CountDownLatch resume = new CountDownLatch(1);
        private final CompletableFuture<Integer> result = new CompletableFuture<>();

        StoppedWriter(final RingFixture fixture, final ByteBuf frame) throws InterruptedException {
            final ManyToOneRing ring = fixture.writer(777, () -> {
                claimed.countDown();
                try {
                    resume.await();
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            final Thread thread = new Thread(() -> result.complete(ring.write(frame)), "stopped-writer");
            thread.setDaemon(true);
            thread.start();
            assertTrue(claimed.await(10, TimeUnit.SECONDS));
        }

        int resume() throws Exception {
            resume.countDown();
            return result.get(10, TimeUnit.SECONDS);
        }
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
