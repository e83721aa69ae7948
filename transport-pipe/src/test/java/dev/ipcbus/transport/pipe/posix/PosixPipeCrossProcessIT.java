// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.transport.pipe.core.PipeInbox;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.testkit.ChildJvm;
import dev.ipcbus.testkit.FrameLimitScenarios;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of a writer mid-frame and of a reader, with real child JVMs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PosixPipeCrossProcessIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private PosixPipeFixture fixture;
    private ChildJvm child;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PosixPipeFixture(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null) {
            child.kill();
        }
        fixture.close();
    }

    @Test
    void shouldDiscardPartialFrameOfKilledWriterAndKeepServingOthers() throws Exception {
        final PipeTransport transport = fixture.transport(1024 * 1024);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final Outlet other = transport.openOutlet(node, inbox.address());

        child = ChildJvm.start(PipeTestChild.class, List.of(), "midframe", inbox.address(), NodeIds.format(node));
        child.awaitLine("READY", WAIT);
        assertArrayEquals(new byte[] {7}, collector.frames.poll(10, TimeUnit.SECONDS), "complete frame delivered");
        child.kill();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inbox.counters().partialFramesDiscarded() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, inbox.counters().partialFramesDiscarded());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {9, 9});
        assertEquals(Outlet.SENT, other.offer(frame, TimeUnit.SECONDS.toNanos(5)));
        frame.release();
        assertArrayEquals(new byte[] {9, 9}, collector.frames.poll(10, TimeUnit.SECONDS));
        assertTrue(collector.frames.isEmpty(), "the cut-off frame is never delivered");
        assertEquals(List.of(), fixture.errors, "a dead writer is not garbage");
        other.close();
        inbox.close();
    }

    @Test
    void shouldRefuseSocketNameHeldByForeignProcessAndNeverRemoveIt() throws Exception {
        final PipeTransport transport = fixture.transport(1024 * 1024);
        final long node = NodeIds.next();
        final Path path = fixture.runtimeDirectory.resolve(NodeIds.format(node) + ".sock");
        child = ChildJvm.start(PipeTestChild.class, List.of(), "squat", path.toString(), NodeIds.format(node));
        child.awaitLine("READY", WAIT);
        final dev.ipcbus.BusException error = assertThrows(dev.ipcbus.BusException.class,
            () -> transport.openInbox(node, frame -> { }));
        assertTrue(error.getMessage().contains("live listener") && error.getMessage().contains(path.toString()),
            error.getMessage());
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "a live socket is never stolen");
        child.kill();
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final Inbox inbox = transport.openInbox(node, collector);
        assertEquals(path.toString(), inbox.address(), "once the squatter is dead its stale socket is replaced");
        inbox.close();
    }

    @Test
    void shouldFailInFlightWritesFastWhenReaderIsKilledAndReclaimItsSocket() throws Exception {
        final PipeTransport transport = fixture.transport(1024 * 1024);
        final long node = NodeIds.next();
        child = ChildJvm.start(PipeTestChild.class, List.of(), "reader", fixture.runtimeDirectory.toString(),
            NodeIds.format(node));
        final String address = child.awaitLine("ADDRESS ", WAIT).substring("ADDRESS ".length());
        child.awaitLine("READY", WAIT);
        final Process process = child.process();
        fixture.owners.put(node, process);
        final PipeTransport watching = fixture.transport(1024 * 1024);
        final Outlet outlet = transport.openOutlet(node, address);
        final CompletableFuture<long[]> writer = CompletableFuture.supplyAsync(() -> {
            final ByteBuf frame = Unpooled.directBuffer(100_000).writeZero(100_000);
            try {
                int sent = 0;
                while (true) {
                    final long start = System.nanoTime();
                    final int status = outlet.offer(frame, TimeUnit.SECONDS.toNanos(30));
                    if (status != Outlet.SENT) {
                        return new long[] {status, System.nanoTime() - start, sent};
                    }
                    sent++;
                }
            } finally {
                frame.release();
            }
        });
        Thread.sleep(500);
        assertFalse(writer.isDone(), "the stuck reader back-pressures the writer");
        child.kill();
        assertFalse(process.isAlive());
        final long[] result = writer.get(10, TimeUnit.SECONDS);
        assertEquals(Outlet.PEER_GONE, result[0]);
        assertTrue(result[1] < TimeUnit.SECONDS.toNanos(5), "failed at once, not after 30 s: " + result[1]);
        outlet.close();

        final Path socket = Path.of(address);
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "kill -9 leaves the socket file behind");
        final PipeConnectException refused = assertThrows(PipeConnectException.class,
            () -> watching.openOutlet(node, address), "connect to a dead node's socket is refused");
        assertEquals(Outlet.PEER_GONE, refused.status());
        watching.reclaim(node, address);
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "reclaim removes the dead node's socket");
    }

    /** Issue 13, item 2: a subscriber process whose inbox takes smaller frames than the publisher's. */
    @Test
    void shouldRefuseAFrameTooLargeForTheSubscribersInboxAndDeliverEveryOther() {
        FrameLimitScenarios.publishAcrossMismatchedLimits("pipe", "?maxFrameLength=64KiB", "?maxFrameLength=4MiB",
            64 * 1024, "maxFrameLength");
    }
}
