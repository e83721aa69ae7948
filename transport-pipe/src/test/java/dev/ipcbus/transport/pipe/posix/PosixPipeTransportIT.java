// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.transport.pipe.core.PipeInbox;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.pipe.InboxCloseScenarios;
import dev.ipcbus.transport.pipe.InboxGuardScenarios;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PosixPipeTransportIT {
    private static final int MAX = 1024 * 1024;

    @TempDir
    Path root;
    private PosixPipeFixture fixture;
    private final List<ByteBuf> buffers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PosixPipeFixture(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        buffers.forEach(ByteBuf::release);
        fixture.close();
    }

    private ByteBuf frame(final byte[] bytes) {
        final ByteBuf buffer = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        buffers.add(buffer);
        return buffer;
    }

    @Test
    void shouldKeepBoundariesOfOneByteOddAndMaximumFramesBackToBack() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, collector);
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final Random random = new Random(3);
        final List<byte[]> sent = new ArrayList<>();
        for (final int size : new int[] {1, 57, 1, 333, MAX, 1, 4095, MAX, 0, 65537, 1}) {
            final byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            sent.add(bytes);
            final ByteBuf buffer = frame(bytes);
            assertEquals(Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(10)));
            assertEquals(0, buffer.readerIndex(), "indexes unchanged");
        }
        for (final byte[] expected : sent) {
            final byte[] got = collector.frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(got);
            assertArrayEquals(expected, got);
        }
        assertThrows(IllegalArgumentException.class, () -> outlet.offer(frame(new byte[MAX + 1]), 0));
        outlet.close();
        inbox.close();
        assertFalse(Files.exists(Path.of(inbox.address()), LinkOption.NOFOLLOW_LINKS), "close removes the socket");
    }

    @Test
    void shouldKeepEachWritersOrderWithManyWritersAtOnce() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, collector);
        final int writers = 8;
        final int perWriter = 2000;
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            final Outlet outlet = transport.openOutlet(node, inbox.address());
            done.add(CompletableFuture.runAsync(() -> {
                final ByteBuf buffer = Unpooled.buffer(64);
                try {
                    for (int i = 0; i < perWriter; i++) {
                        buffer.clear().writeInt(writer).writeInt(i).writeZero(i % 50);
                        assertEquals(Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(10)));
                    }
                } finally {
                    buffer.release();
                    outlet.close();
                }
            }));
        }
        final int[] next = new int[writers];
        for (int i = 0; i < writers * perWriter; i++) {
            final byte[] got = collector.frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "frame " + i);
            final ByteBuffer view = ByteBuffer.wrap(got);
            final int writer = view.getInt();
            assertEquals(next[writer]++, view.getInt(), "writer " + writer + " out of order");
            assertEquals(8 + (next[writer] - 1) % 50, got.length);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        inbox.close();
    }

    @Test
    void shouldBackPressureSlowReaderThenStayInStep() throws Exception {
        backPressureThenStayInStep(100_000);
    }

    @Test
    void shouldBackPressureSlowReaderThenStayInStepWithCopiedSmallFrames() throws Exception {
        backPressureThenStayInStep(10_007);
    }

    private void backPressureThenStayInStep(final int size) throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final CountDownLatch release = new CountDownLatch(1);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, frame -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            collector.onFrame(frame);
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final List<Integer> sentIds = new ArrayList<>();
        int status = Outlet.SENT;
        long waited = 0;
        for (int id = 0; id < 2000 && status == Outlet.SENT; id++) {
            final byte[] bytes = new byte[size];
            bytes[0] = (byte) id;
            bytes[bytes.length - 1] = (byte) id;
            final long start = System.nanoTime();
            status = outlet.offer(frame(bytes), TimeUnit.MILLISECONDS.toNanos(150));
            waited = System.nanoTime() - start;
            if (status == Outlet.SENT) {
                sentIds.add(id);
            }
        }
        assertEquals(Outlet.BACK_PRESSURED, status, "a stuck reader must back-pressure the writer");
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(140), "waited the timeout: " + waited);
        assertTrue(waited < TimeUnit.SECONDS.toNanos(2), "bounded by the timeout: " + waited);
        release.countDown();
        final byte[] tail = {(byte) 0xEE};
        assertEquals(Outlet.SENT, outlet.offer(frame(tail), TimeUnit.SECONDS.toNanos(10)));
        for (final int id : sentIds) {
            final byte[] got = collector.frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(got);
            assertEquals(size, got.length);
            assertEquals((byte) id, got[0]);
            assertEquals((byte) id, got[got.length - 1]);
        }
        assertArrayEquals(tail, collector.frames.poll(10, TimeUnit.SECONDS), "the timed-out frame is never delivered");
        assertTrue(collector.frames.isEmpty());
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldFailInFlightWriteAtOnceWhenReaderGoes() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final long node = NodeIds.next();
        final CountDownLatch stuck = new CountDownLatch(1);
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, frame -> {
            try {
                stuck.await(20, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final CompletableFuture<long[]> writer = CompletableFuture.supplyAsync(() -> {
            while (true) {
                final long start = System.nanoTime();
                final int status = outlet.offer(frame(new byte[100_000]), TimeUnit.SECONDS.toNanos(20));
                if (status != Outlet.SENT) {
                    return new long[] {status, System.nanoTime() - start};
                }
            }
        });
        Thread.sleep(300);
        fixture.dead.add(node);
        stuck.countDown();
        inbox.close();
        final long[] result = writer.get(10, TimeUnit.SECONDS);
        assertEquals(Outlet.PEER_GONE, result[0]);
        assertTrue(result[1] < TimeUnit.SECONDS.toNanos(5), "released long before its 20 s timeout");
        outlet.close();
    }

    @Test
    void shouldReconnectOnNextOfferWhenNodeIsStillAlive() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        Inbox inbox = transport.openInbox(node, collector);
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {1}), 0));
        assertArrayEquals(new byte[] {1}, collector.frames.poll(5, TimeUnit.SECONDS));
        inbox.close();
        inbox = transport.openInbox(node, collector);
        // Closed and reopened while alive: the broken connection is replaced on this offer.
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {2}), TimeUnit.SECONDS.toNanos(5)));
        assertArrayEquals(new byte[] {2}, collector.frames.poll(5, TimeUnit.SECONDS));
        inbox.close();
        fixture.dead.add(node);
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame(new byte[] {3}), TimeUnit.SECONDS.toNanos(5)));
        outlet.close();
    }

    @Test
    void shouldDetectAndReclaimStaleSocketButNeverLiveOne() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final long node = NodeIds.next();
        final Path path = fixture.runtimeDirectory.resolve(NodeIds.format(node) + ".sock");
        try (ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dying.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "a closed listener leaves its socket file");
        fixture.dead.add(node);
        final PipeConnectException refused = assertThrows(PipeConnectException.class,
            () -> transport.openOutlet(node, path.toString()));
        assertEquals(Outlet.PEER_GONE, refused.status());
        transport.reclaim(node, path.toString());
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "reclaim removes a stale socket");
        transport.reclaim(node, path.toString());
        fixture.dead.remove(node);

        final long other = NodeIds.next();
        final Inbox live = transport.openInbox(other, frame -> { });
        transport.reclaim(node, live.address());
        assertTrue(Files.exists(Path.of(live.address())), "reclaim never deletes another node's socket");
        live.close();

        try (ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dying.bind(UnixDomainSocketAddress.of(path));
        }
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final Inbox inbox = transport.openInbox(node, collector);
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {5}), 0));
        assertArrayEquals(new byte[] {5}, collector.frames.poll(5, TimeUnit.SECONDS));
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldRefuseSquatterWithClearError() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final long node = NodeIds.next();
        final Path path = fixture.runtimeDirectory.resolve(NodeIds.format(node) + ".sock");
        try (ServerSocketChannel squatter = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            squatter.bind(UnixDomainSocketAddress.of(path));
            final BusException error = assertThrows(BusException.class, () -> transport.openInbox(node, f -> { }));
            assertTrue(error.getMessage().contains("live listener"), error.getMessage());
            assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "a live socket is never stolen");
        } finally {
            Files.deleteIfExists(path);
        }
        Files.writeString(path, "not a socket");
        try {
            final BusException error = assertThrows(BusException.class, () -> transport.openInbox(node, f -> { }));
            assertTrue(error.getMessage().contains("not a socket"), error.getMessage());
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldUseShortFallbackPathWhenRuntimeDirectoryIsTooDeep() throws Exception {
        final Path deep = Files.createDirectories(root.resolve("deep").resolve("d".repeat(100)));
        assertTrue(PosixSocketPaths.length(deep) > PosixSocketPaths.maxPathBytes());
        final PipeTransport transport = fixture.transport(MAX, PosixSocketPaths.maxPathBytes(), deep);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, collector);
        assertTrue(inbox.address().startsWith(fixture.fallbackDirectory.toString()), inbox.address());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            fixture.fallbackDirectory)));
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {8}), 0));
        assertArrayEquals(new byte[] {8}, collector.frames.poll(5, TimeUnit.SECONDS));
        outlet.close();
        inbox.close();

        final PipeTransport tooShort = fixture.transport(MAX, 20);
        final ConfigurationException error = assertThrows(ConfigurationException.class,
            () -> tooShort.openInbox(NodeIds.next(), f -> { }));
        assertTrue(error.getMessage().contains("too long for sun_path"), error.getMessage());
    }

    @Test
    void shouldMakeSocketOwnerOnly() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final Inbox inbox = transport.openInbox(NodeIds.next(), f -> { });
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            Path.of(inbox.address()), LinkOption.NOFOLLOW_LINKS)));
        inbox.close();
    }

    @Test
    void shouldDropGarbageConnectionOnceAndKeepServingOthers() throws Exception {
        final PipeTransport transport = fixture.transport(1000);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final Outlet good = transport.openOutlet(node, inbox.address());
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(inbox.address())))) {
            final ByteBuf hello = Unpooled.buffer(PipeHelloDescriptor.LENGTH + 4);
            PipeHelloDescriptor.write(hello, 0, node);
            hello.writerIndex(PipeHelloDescriptor.LENGTH).writeIntLE(1_000_000_000);
            raw.write(hello.nioBuffer());
            hello.release();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fixture.errors.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 10; i++) {
                raw.write(ByteBuffer.wrap(new byte[100]));
            }
        } catch (final java.io.IOException expected) {
            // the inbox dropped the connection
        }
        assertEquals(Outlet.SENT, good.offer(frame(new byte[] {4, 2}), 0));
        assertArrayEquals(new byte[] {4, 2}, collector.frames.poll(5, TimeUnit.SECONDS));
        assertEquals(1, fixture.errors.size(), "reported once: " + fixture.errors);
        assertInstanceOf(FrameFormatException.class, fixture.errors.get(0));
        assertTrue(fixture.errors.get(0).getMessage().contains("beyond the maximum"));
        assertEquals(1, inbox.counters().malformedConnections());
        assertEquals(1L, inbox.counters().common().framesRead());
        good.close();
        inbox.close();
    }

    @Test
    void shouldSkipAFrameBeyondTheInboxMaximumAndKeepTheConnectionAndTheFramesAroundIt() throws Exception {
        final PipeTransport small = fixture.transport(1000);
        final PipeTransport large = fixture.transport(MAX);
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) small.openInbox(node, collector);
        final Outlet writer = large.openOutlet(node, inbox.address());
        final long timeout = TimeUnit.SECONDS.toNanos(5);
        for (int seq = 0; seq < 10; seq++) {
            final byte[] bytes = new byte[seq == 4 ? 100_000 : seq == 6 ? 1001 : 1000];
            bytes[0] = (byte) seq;
            assertEquals(Outlet.SENT, writer.offer(frame(bytes), timeout));
        }
        for (int seq = 0; seq < 10; seq++) {
            if (seq != 4 && seq != 6) {
                final byte[] got = collector.frames.poll(5, TimeUnit.SECONDS);
                assertNotNull(got, "frame " + seq);
                assertEquals(seq, got[0], "frame order");
            }
        }
        assertEquals(2, inbox.counters().oversizeFramesDropped());
        assertEquals(0, inbox.counters().malformedConnections(), "the connection is kept");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fixture.errors.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the report follows the read that skipped the frame
        }
        assertEquals(1L, inbox.counters().connectionsOpen());
        assertEquals(1, fixture.errors.size(), "reported once per connection: " + fixture.errors);
        assertInstanceOf(FrameFormatException.class, fixture.errors.get(0));
        assertTrue(fixture.errors.get(0).getMessage().contains("frameLength=100000, maxFrameLength=1000"),
            fixture.errors.get(0).getMessage());
        writer.close();
        inbox.close();
    }

    @Test
    void shouldCloseConnectionsThatSendNoHelloInTimeWithBoundedThreads() throws Exception {
        InboxGuardScenarios.silentConnectionsAreClosedWithBoundedThreads(
            fixture.transport(MAX, Duration.ofMillis(300)), fixture.errors, address -> {
                try {
                    return SocketChannel.open(UnixDomainSocketAddress.of(Path.of(address)));
                } catch (final IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }, 100);
    }

    @Test
    void shouldCloseAndReportAConnectionWhoseReaderFailsAndLetTheWriterReconnect() throws Exception {
        InboxGuardScenarios.failedReaderClosesItsConnectionAndTheWriterReconnects(fixture.transport(MAX),
            fixture.errors);
    }

    /**
     * Issue 13, item 4: out of direct memory for a new connection's receive buffer (this used to end the accept
     * thread and leave the connection open and unread, so its writer timed out with backpressure forever), and for a
     * large frame's buffer.
     */
    @Test
    void shouldCloseAndReportAConnectionWhoseBufferCannotBeAllocatedAndKeepAccepting() throws Exception {
        final AtomicInteger allocations = new AtomicInteger();
        final ByteBufAllocator failing = new AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity) {
                if (allocations.getAndIncrement() == 0 || initialCapacity > 1024 * 1024) {
                    throw new OutOfMemoryError("Cannot reserve " + initialCapacity
                        + " bytes of direct buffer memory (injected)");
                }
                return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        final PosixPipeFixture.Collector collector = new PosixPipeFixture.Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) fixture.transport(4 * MAX, failing).openInbox(node, collector);
        final Outlet outlet = fixture.transport(4 * MAX).openOutlet(node, inbox.address());
        try {
            awaitErrors(1);
            assertTrue(fixture.errors.get(0).getMessage().contains("reader failed"), fixture.errors.toString());
            final long timeout = TimeUnit.SECONDS.toNanos(5);
            assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {1}), timeout), "the writer reconnects");
            assertArrayEquals(new byte[] {1}, collector.frames.poll(5, TimeUnit.SECONDS));
            assertEquals(Outlet.PEER_GONE, outlet.offer(frame(new byte[2 * MAX]), timeout),
                "a frame the inbox cannot find memory for: the connection closes, the writer learns");
            assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {2}), timeout));
            assertArrayEquals(new byte[] {2}, collector.frames.poll(5, TimeUnit.SECONDS));
            assertEquals(3, inbox.counters().readerFailures(), "the first connection and both tries of the big frame");
            assertTrue(collector.frames.isEmpty());
        } finally {
            outlet.close();
            inbox.close();
        }
    }

    private void awaitErrors(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.errors.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5); // the report follows the failure on the reader thread
        }
        assertEquals(count, fixture.errors.size(), fixture.errors.toString());
    }

    @Test
    void shouldNotCallListenerAfterCloseReturns() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final long node = NodeIds.next();
        final java.util.concurrent.atomic.AtomicBoolean closedFlag = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        final Inbox inbox = transport.openInbox(node, frame -> {
            if (closedFlag.get()) {
                late.set(true);
            }
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            final ByteBuf buffer = Unpooled.buffer(16).writeZero(16);
            try {
                while (outlet.offer(buffer, TimeUnit.MILLISECONDS.toNanos(100)) == Outlet.SENT) {
                    Thread.onSpinWait();
                }
            } finally {
                buffer.release();
            }
        });
        Thread.sleep(100);
        inbox.close();
        closedFlag.set(true);
        fixture.dead.add(node);
        writer.get(10, TimeUnit.SECONDS);
        Thread.sleep(50);
        assertFalse(late.get());
        outlet.close();
    }

    @Test
    void shouldCallTheListenerOneAtATimeAcrossConnections() throws Exception {
        final PipeTransport transport = fixture.transport(MAX);
        final long node = NodeIds.next();
        final int writers = 4;
        final int perWriter = 3000;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final CountDownLatch all = new CountDownLatch(writers * perWriter);
        final Inbox inbox = transport.openInbox(node, frame -> {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            inside.decrementAndGet();
            all.countDown();
        });
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            final Outlet outlet = transport.openOutlet(node, inbox.address());
            done.add(CompletableFuture.runAsync(() -> sendZeros(outlet, perWriter)));
        }
        assertTrue(all.await(20, TimeUnit.SECONDS), "all frames delivered, left: " + all.getCount());
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertEquals(0, overlaps.get(), "listener calls overlapped");
        inbox.close();
        assertEquals(List.of(), fixture.errors);
    }

    @Test
    void shouldStopEveryThreadOnCloseAlsoWhenAListenerCloses() throws Exception {
        InboxCloseScenarios.listenerClosesWhileWritersSend(fixture.transport(MAX), fixture.dead,
            fixture.errors);
    }

    private static void sendZeros(final Outlet outlet, final int count) {
        final ByteBuf buffer = Unpooled.buffer(16).writeZero(16);
        try {
            for (int i = 0; i < count; i++) {
                assertEquals(Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(10)));
            }
        } finally {
            buffer.release();
            outlet.close();
        }
    }
}
