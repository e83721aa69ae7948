// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.transport.filemap.core.FilemapTransport;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.testkit.FrameLimitScenarios;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cross-process tests with real child JVMs: a two-process stress, and crash tests with {@code kill -9} of a writer
 * (mid-stream, and between claim and publish) and of a reader.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CrossProcessIT {
    private static final int WRITERS = 3;

    @TempDir
    Path runtime;

    private String bus;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<ChildProcess> children = new ArrayList<>();
    private Transport transport;
    /** The child of {@link #openInboxWithStalledWriter}. */
    private ChildProcess stalledWriter;

    @BeforeEach
    void setUp(final TestInfo info) {
        bus = PosixTestSupport.busName(info.getTestMethod().orElseThrow().getName().substring(0, 10));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (final ChildProcess child : children) {
            child.close();
        }
        if (transport != null) {
            transport.close();
        }
        final List<Path> left = PosixTestSupport.leftovers(bus);
        for (final Path path : left) {
            Files.deleteIfExists(path);
        }
        assertEquals(List.of(), left, "segment files left behind in /dev/shm");
    }

    private ChildProcess child(final String... args) throws Exception {
        final ChildProcess child = new ChildProcess(args);
        children.add(child);
        return child;
    }

    /** Checks [writer, seq] frames: per-writer order, no gap, no duplicate. */
    private static final class Checker {
        final int[] next;
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicInteger total = new AtomicInteger();

        Checker(final int writers) {
            next = new int[writers];
        }

        void onFrame(final ByteBuf frame) {
            final int writer = frame.getIntLE(frame.readerIndex());
            final int seq = frame.getIntLE(frame.readerIndex() + 4);
            if (writer < 0 || writer >= next.length || next[writer] != seq) {
                failure.compareAndSet(null, "writer=" + writer + ", expected=" + (writer >= 0
                    && writer < next.length ? next[writer] : -1) + ", got=" + seq);
                return;
            }
            next[writer] = seq + 1;
            total.incrementAndGet();
        }

        int received(final int writer) {
            synchronized (this) {
                return next[writer];
            }
        }
    }

    private static void awaitCount(final AtomicInteger counter, final int count, final long seconds)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (counter.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void shouldDeliverEveryFrameOnceInOrderFromWritersInOtherProcesses() throws Exception {
        transport = PosixTestSupport.transport(bus, runtime, Map.of("capacity", "64KiB"), node -> true, errors);
        final long node = NodeIds.next();
        final Checker checker = new Checker(WRITERS + 1);
        final Inbox inbox = transport.openInbox(node, checker::onFrame);
        final int perChild = 100_000;
        for (int w = 0; w < WRITERS; w++) {
            child("writer", runtime.toString(), bus, NodeIds.format(node), inbox.address(), String.valueOf(w),
                String.valueOf(perChild));
        }
        // This process writes concurrently as writer number WRITERS.
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final ByteBuf frame = Unpooled.buffer(16);
        for (int seq = 0; seq < 20_000; seq++) {
            frame.clear().writeIntLE(WRITERS).writeIntLE(seq).writeLongLE(0);
            assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(20)));
        }
        for (final ChildProcess child : children) {
            child.await("DONE", 60);
            assertEquals(0, child.waitFor(10));
        }
        awaitCount(checker.total, WRITERS * perChild + 20_000, 20);
        assertNull(checker.failure.get());
        assertEquals(WRITERS * perChild + 20_000, checker.total.get());
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldKeepServingAfterAWriterIsKilledMidStream() throws Exception {
        transport = PosixTestSupport.transport(bus, runtime, Map.of("capacity", "64KiB", "stallTimeout", "300ms"),
            node -> true, errors);
        final long node = NodeIds.next();
        final Checker checker = new Checker(2);
        final Inbox inbox = transport.openInbox(node, checker::onFrame);
        final ChildProcess writer = child("writer", runtime.toString(), bus, NodeIds.format(node), inbox.address(),
            "0", "0");
        writer.await("READY", 30);
        awaitCount(checker.total, 20_000, 30);
        writer.kill();
        assertFalse(writer.isAlive());
        final int beforeKill = checker.total.get();
        assertTrue(beforeKill >= 20_000, "received=" + beforeKill);

        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final ByteBuf frame = Unpooled.buffer(16);
        for (int seq = 0; seq < 1000; seq++) {
            frame.clear().writeIntLE(1).writeIntLE(seq).writeLongLE(0);
            assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(10)));
        }
        awaitCount(checker.total, checker.next[0] + 1000, 10);
        assertNull(checker.failure.get());
        assertEquals(1000, checker.next[1]);
        // Whatever the killed writer managed to publish arrived as a gap-free prefix of its stream.
        assertEquals(checker.next[0] + 1000, checker.total.get());
    }

    @Test
    void shouldSkipTheRecordOfAWriterKilledBetweenClaimAndPublish() throws Exception {
        final long node = NodeIds.next();
        final Checker checker = new Checker(8);
        final Inbox inbox = openInboxWithStalledWriter(node, checker);
        stalledWriter.kill();

        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final long start = System.nanoTime();
        final ByteBuf frame = Unpooled.buffer(16);
        frame.writeIntLE(0).writeIntLE(0).writeLongLE(0);
        assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)));
        awaitCount(checker.total, 4, 10);
        final long waited = System.nanoTime() - start;
        assertNull(checker.failure.get());
        assertEquals(3, checker.next[7]);
        assertEquals(1, checker.next[0]);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(250), "skipped too early: " + waited);
        final Map<String, Long> counters = ((FilemapTransport) transport).segmentCounters(node, inbox.address());
        assertEquals(1, counters.get("skippedRecords"), counters.toString());
        assertEquals(1, errors.size(), errors.toString());
    }

    @Test
    void shouldWaitForAStoppedWriterMidRecordAndSkipItOnlyOnceItIsKilled() throws Exception {
        final long node = NodeIds.next();
        final Checker checker = new Checker(8);
        final Inbox inbox = openInboxWithStalledWriter(node, checker);
        final ChildProcess staller = stalledWriter;
        final long pid = staller.pid();
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        try {
            final Outlet outlet = transport.openOutlet(node, inbox.address());
            final ByteBuf frame = Unpooled.buffer(16);
            frame.writeIntLE(0).writeIntLE(0).writeLongLE(0);
            assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)));
            awaitCount(checker.total, 3, 10);
            // Far past the stall timeout, the stopped writer's record still holds the head: a pause is not a death.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (errors.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1L, ((FilemapTransport) transport).segmentCounters(node, inbox.address()).get("liveWriterWaits"));
            assertEquals(3, checker.total.get());
            assertEquals(0L, ((FilemapTransport) transport).segmentCounters(node, inbox.address()).get("skippedRecords"));
            assertTrue(errors.get(0).getMessage().contains("writerPid=" + pid), errors.toString());
        } finally {
            staller.kill();
        }
        awaitCount(checker.total, 4, 10);
        assertEquals(1L, ((FilemapTransport) transport).segmentCounters(node, inbox.address()).get("skippedRecords"));
        assertNull(checker.failure.get());
    }

    /**
     * Opens an inbox (stall timeout 300 ms) into which a child process has published 3 frames (writer 7) and then
     * claimed and marked a record that it never publishes; the child is {@link #stalledWriter}.
     */
    private Inbox openInboxWithStalledWriter(final long node, final Checker checker) throws Exception {
        transport = PosixTestSupport.transport(bus, runtime, Map.of("stallTimeout", "300ms"), id -> true, errors);
        final Inbox inbox = transport.openInbox(node, checker::onFrame);
        stalledWriter = child("stall", runtime.toString(), bus, NodeIds.format(node), inbox.address());
        stalledWriter.await("CLAIMED", 30);
        return inbox;
    }

    @Test
    void shouldLetExactlyOneOfSeveralProcessesInitializeASegment() throws Exception {
        final Path path = PosixFilemapPlatform.DEV_SHM.resolve(PosixFilemapPlatform.fileName(
            dev.ipcbus.registry.RuntimeDirectory.userName(), bus, NodeIds.next()));
        Files.write(path, new byte[dev.ipcbus.transport.filemap.core.SegmentDescriptor.segmentLength(64 * 1024)]);
        try {
            final long startAt = System.currentTimeMillis() + 3000;
            final List<ChildProcess> racers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                racers.add(child("init", path.toString(), String.valueOf(startAt)));
            }
            int initialized = 0;
            for (final ChildProcess racer : racers) {
                final String outcome = racer.await("OUTCOME ", 30);
                assertTrue(outcome.endsWith(" 65536"), outcome);
                if (outcome.startsWith("OUTCOME INITIALIZED")) {
                    initialized++;
                }
                assertEquals(0, racer.waitFor(10));
            }
            assertEquals(1, initialized, "exactly one process initializes");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldReclaimTheSegmentOfAReaderKilledWithSigkill() throws Exception {
        final AtomicBoolean childAlive = new AtomicBoolean(true);
        transport = PosixTestSupport.transport(bus, runtime, Map.of(), node -> childAlive.get(), errors);
        final long node = NodeIds.next();
        final ChildProcess reader = child("reader", runtime.toString(), bus, NodeIds.format(node));
        final String address = reader.await("ADDRESS ", 30).substring("ADDRESS ".length());
        final Outlet outlet = transport.openOutlet(node, address);
        reader.kill();
        childAlive.set(false);
        assertTrue(Files.exists(Path.of(address)), "a SIGKILLed reader cannot delete its own segment");

        // Nobody reads any more: the ring fills, and a waiting writer is released by the liveness check.
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[4000]);
        int sent = 0;
        while (outlet.offer(frame, 0) == Outlet.SENT) {
            sent++;
        }
        assertTrue(sent > 200, "sent=" + sent);
        final long start = System.nanoTime();
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, TimeUnit.SECONDS.toNanos(10)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));

        transport.reclaim(node, address);
        assertFalse(Files.exists(Path.of(address)));
    }

    /** Issue 13, item 2: a subscriber process whose inbox takes smaller frames than the publisher's. */
    @Test
    void shouldRefuseAFrameTooLargeForTheSubscribersInboxAndDeliverEveryOther() {
        FrameLimitScenarios.publishAcrossMismatchedLimits("filemap", "?capacity=64KiB", "?capacity=1MiB",
            64 * 1024 / 8, "capacity");
    }
}
