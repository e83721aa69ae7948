// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.FrameWriter;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ring against a reference model, under random sequences of every operation the protocol knows: complete writes,
 * writes that fail half-way (padding), claims whose writer stops after marking them and later publishes, claims
 * whose writer dies after marking them, claims whose writer stops before marking them and later resumes (and is told
 * it was skipped when the reader skipped it), polls, and the passing of time that makes the reader skip stalls.
 * <p>
 * The model is the list of claims in claim order, each complete, aborted, pending (writer alive), dead, unmarked or
 * skipped. A poll must deliver exactly the complete claims at the front, in order, up to the first unresolved claim; a
 * stall must be skipped exactly when the model says (a dead writer's claim, or a run of unmarked ones) and never
 * otherwise; a writer whose unmarked claim was skipped must learn it; at the end everything is delivered and the ring
 * holds nothing but free words and skip sentinels.
 */
class ManyToOneRingModelTest {
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(100);

    private enum State { COMPLETE, ABORTED, PENDING, DEAD, UNMARKED, SKIPPED }

    /** One claim of the model, in claim order. */
    private static final class Claim {
        final int id;
        final int length;
        State state;
        ParkedWriter writer;

        Claim(final int id, final int length, final State state) {
            this.id = id;
            this.length = length;
            this.state = state;
        }
    }

    /** A writer thread parked inside a write: before its mark (unmarked) or after its body (marked). */
    private static final class ParkedWriter {
        final CountDownLatch parked = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final CompletableFuture<Integer> result = new CompletableFuture<>();

        void park() {
            parked.countDown();
            try {
                resume.await();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        /** @return whether the writer parked (it claimed), or its result arrived first (no room: nothing claimed). */
        boolean awaitParkedOrDone() throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (parked.await(1, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (result.isDone()) {
                    return false;
                }
            }
            throw new AssertionError("writer thread neither claimed nor returned");
        }

        int release() throws Exception {
            resume.countDown();
            return result.get(10, TimeUnit.SECONDS);
        }
    }

    private RingFixture fixture;
    private final ArrayDeque<Claim> claims = new ArrayDeque<>();
    private final List<String> trace = new ArrayList<>();
    private long now = 1_000_000_000L;
    private int nextId;
    private int nextPid = 10_000;
    private int expectedSkips;

    @RepeatedTest(30)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldBehaveAsTheModelSays(final RepetitionInfo repetition) throws Exception {
        final long seed = 0xC0FFEE00L + repetition.getCurrentRepetition();
        final Random random = new Random(seed);
        fixture = new RingFixture(1024 << random.nextInt(3));
        final int maxFrame = fixture.ring.maxFrameLength();
        try {
            for (int step = 0; step < 400; step++) {
                final int op = random.nextInt(100);
                final int length = random.nextInt(4) == 0 ? maxFrame : 1 + random.nextInt(maxFrame);
                if (op < 35) {
                    write(length);
                } else if (op < 40) {
                    abort(length);
                } else if (op < 47 && parked() < 3) {
                    beginMarked(length);
                } else if (op < 52 && parked() < 3) {
                    beginUnmarked(length);
                } else if (op < 55) {
                    dieAfterMarking(length);
                } else if (op < 63) {
                    resumeOne(random);
                } else if (op < 90) {
                    poll();
                } else {
                    passTime();
                }
            }
            drain();
        } catch (final Throwable failure) {
            throw new AssertionError("seed=" + seed + ", trace=" + trace, failure);
        }
        assertTrue(fixture.ringIsFree(), "seed=" + seed);
        assertEquals(fixture.region.getLong(TAIL_OFFSET), fixture.reader.head(), "seed=" + seed);
        assertEquals(expectedSkips, fixture.region.getLong(SKIPPED_RECORDS_OFFSET), "seed=" + seed + ", " + trace);
        for (final Throwable error : fixture.errors) {
            final String message = error.getMessage();
            assertTrue(message.contains("skipped") || message.contains("waiting on a writer"),
                "seed=" + seed + ": unexpected report " + message);
        }
    }

    private void write(final int length) {
        final int id = nextId++;
        if (fixture.ring.write(RingFixture.frame(length, id)) == ManyToOneRing.WRITTEN) {
            claims.add(new Claim(id, length, State.COMPLETE));
            trace.add("write " + id + ":" + length);
        }
    }

    private void abort(final int length) {
        final int id = nextId++;
        try {
            if (fixture.ring.write((buffer, index) -> {
                buffer.setBytes(index, RingFixture.frame(length / 2, id), 0, length / 2);
                throw new IllegalStateException("writer failed");
            }, length) == ManyToOneRing.WRITTEN) {
                fail("a failing writer reported success");
            }
        } catch (final IllegalStateException expected) {
            claims.add(new Claim(id, length, State.ABORTED));
            trace.add("abort " + id);
        }
    }

    /** A writer (pid of its own) that claims, marks and writes its body, then parks before publishing. */
    private void beginMarked(final int length) throws Exception {
        final int id = nextId++;
        final ParkedWriter parked = new ParkedWriter();
        final ManyToOneRing ring = fixture.writer(nextPid++, () -> { });
        final ByteBuf frame = RingFixture.frame(length, id);
        final FrameWriter writer = (buffer, index) -> {
            buffer.setBytes(index, frame, 0, length);
            parked.park();
        };
        start(() -> parked.result.complete(ring.write(writer, length)));
        if (parked.awaitParkedOrDone()) {
            final Claim claim = new Claim(id, length, State.PENDING);
            claim.writer = parked;
            claims.add(claim);
            trace.add("beginMarked " + id);
        }
    }

    /** A writer that claims, then parks before marking (a stop between the tail's compare-and-set and the mark). */
    private void beginUnmarked(final int length) throws Exception {
        final int id = nextId++;
        final ParkedWriter parked = new ParkedWriter();
        final ManyToOneRing ring = fixture.writer(nextPid++, parked::park);
        final ByteBuf frame = RingFixture.frame(length, id);
        start(() -> parked.result.complete(ring.write(frame)));
        if (parked.awaitParkedOrDone()) {
            final Claim claim = new Claim(id, length, State.UNMARKED);
            claim.writer = parked;
            claims.add(claim);
            trace.add("beginUnmarked " + id);
        }
    }

    /** A foreign process that claims and marks a record (padding first if needed), then dies. */
    private void dieAfterMarking(final int length) {
        final int pid = nextPid++;
        final int capacity = fixture.ring.capacity();
        final int aligned = RecordDescriptor.alignedLength(length + RecordDescriptor.HEADER_LENGTH);
        final long tail = fixture.region.getLong(TAIL_OFFSET);
        final int toEnd = capacity - (int) (tail & (capacity - 1));
        final int padding = aligned > toEnd ? toEnd : 0;
        if (tail + padding + aligned - fixture.region.getLong(HEAD_OFFSET) > capacity) {
            return;
        }
        assertTrue(fixture.region.compareAndSetLong(TAIL_OFFSET, tail, tail + padding + aligned));
        if (padding != 0) {
            putHeader(tail, RecordDescriptor.header(padding, RecordDescriptor.TYPE_PADDING));
        }
        putHeader(tail + padding, RecordDescriptor.claimMark(length + RecordDescriptor.HEADER_LENGTH, pid));
        fixture.deadPids.add((long) pid);
        claims.add(new Claim(nextId++, length, State.DEAD));
        trace.add("dead");
    }

    private void putHeader(final long position, final long header) {
        final int at = HEADER_LENGTH + (int) (position & (fixture.ring.capacity() - 1));
        final long word = fixture.region.getLong(at);
        assertTrue(word == 0 || RecordDescriptor.isSentinel(word), "claimed space not free: " + word);
        assertTrue(fixture.region.compareAndSetLong(at, word, header));
    }

    private int parked() {
        int count = 0;
        for (final Claim claim : claims) {
            if (claim.writer != null) {
                count++;
            }
        }
        return count;
    }

    private void resumeOne(final Random random) throws Exception {
        final List<Claim> resumable = new ArrayList<>();
        for (final Claim claim : claims) {
            if (claim.writer != null) {
                resumable.add(claim);
            }
        }
        if (!resumable.isEmpty()) {
            resume(resumable.get(random.nextInt(resumable.size())));
        }
    }

    private void resume(final Claim claim) throws Exception {
        final int result = claim.writer.release();
        claim.writer = null;
        trace.add("resume " + claim.id + " -> " + result);
        if (claim.state == State.SKIPPED) {
            assertEquals(ManyToOneRing.SKIPPED, result, "a writer whose claim was skipped must learn it");
            // The writer claims again, as RingOutlet does; the model gets a new claim at the end.
            if (fixture.ring.write(RingFixture.frame(claim.length, claim.id)) == ManyToOneRing.WRITTEN) {
                claims.add(new Claim(claim.id, claim.length, State.COMPLETE));
            }
        } else {
            assertEquals(ManyToOneRing.WRITTEN, result, "a writer that was not skipped must publish");
            claim.state = State.COMPLETE;
        }
    }

    private void poll() {
        final List<int[]> want = new ArrayList<>();
        for (final Claim claim : claims) {
            if (claim.state == State.COMPLETE) {
                want.add(new int[] {claim.length, claim.id});
            } else if (claim.state != State.ABORTED && claim.state != State.SKIPPED) {
                break;
            }
        }
        final List<String> got = new ArrayList<>();
        final int[] index = {0};
        final int delivered = fixture.reader.poll(frame -> {
            final int i = index[0]++;
            if (i >= want.size() || !RingFixture.matches(frame, want.get(i)[0], want.get(i)[1])) {
                got.add("unexpected frame #" + i + " of length " + frame.readableBytes());
            }
        }, 1000);
        assertEquals(List.of(), got);
        assertEquals(want.size(), delivered, "frames delivered");
        // Drop what was consumed: complete, aborted and skipped claims at the front (skipped ones stay in the model
        // while their parked writer has not resumed).
        final Iterator<Claim> iterator = claims.iterator();
        while (iterator.hasNext()) {
            final Claim claim = iterator.next();
            if (claim.state == State.COMPLETE || claim.state == State.ABORTED) {
                iterator.remove();
            } else if (claim.state == State.SKIPPED) {
                if (claim.writer == null) {
                    iterator.remove();
                }
            } else {
                break;
            }
        }
        trace.add("poll " + delivered);
    }

    /** Enough time for the reader to act on a stall at its head: what it skips is what the model predicts. */
    private void passTime() {
        poll();
        final Claim first = firstUnresolved();
        final long head = fixture.reader.head();
        boolean moved = fixture.reader.skipStalled(now, TIMEOUT);
        now += TIMEOUT + RingReader.WRITER_CHECK_INTERVAL_NANOS;
        moved |= fixture.reader.skipStalled(now, TIMEOUT);
        now += TIMEOUT;
        if (first == null || first.state == State.PENDING) {
            assertEquals(false, moved, "nothing to skip");
            assertEquals(head, fixture.reader.head());
        } else if (first.state == State.DEAD) {
            assertTrue(moved, "a dead writer's claim is skipped");
            first.state = State.SKIPPED;
            expectedSkips++;
        } else {
            assertTrue(moved, "an unmarked claim is skipped");
            // One skip covers the whole run of unmarked claims that follows.
            boolean inRun = false;
            for (final Claim claim : claims) {
                if (claim == first) {
                    inRun = true;
                }
                if (inRun) {
                    if (claim.state != State.UNMARKED) {
                        break;
                    }
                    claim.state = State.SKIPPED;
                }
            }
            expectedSkips++;
        }
        trace.add("time " + (first == null ? "-" : first.state));
        poll();
    }

    private Claim firstUnresolved() {
        for (final Claim claim : claims) {
            if (claim.state == State.PENDING || claim.state == State.DEAD || claim.state == State.UNMARKED) {
                return claim;
            }
        }
        return null;
    }

    private void drain() throws Exception {
        for (int round = 0; round < 100 && !claims.isEmpty(); round++) {
            for (final Claim claim : new ArrayList<>(claims)) {
                if (claim.writer != null && claim.state != State.UNMARKED) {
                    resume(claim);
                }
            }
            passTime();
            for (final Claim claim : new ArrayList<>(claims)) {
                if (claim.writer != null && claim.state == State.SKIPPED) {
                    resume(claim);
                }
            }
            poll();
        }
        assertEquals(0, claims.size(), "claims left: " + claims.size());
    }

    private static void start(final Runnable body) {
        final Thread thread = new Thread(body, "model-writer");
        thread.setDaemon(true);
        thread.start();
    }
}
