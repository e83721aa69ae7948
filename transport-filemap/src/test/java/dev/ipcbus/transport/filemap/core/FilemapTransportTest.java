// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FilemapTransportTest {
    private static final long NODE = 0xABCDL;

    @TempDir
    Path runtime;

    private final InMemoryFilemapPlatform store = new InMemoryFilemapPlatform();
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private FilemapTransport transport;

    private FilemapTransport transport(final IdleMode mode, final long stallMillis) {
        final TransportContext context = new TransportContext("test", new TransportOptions(Map.of()), runtime,
            node -> alive.get(), errors::add);
        transport = new FilemapTransport(context, store, new RingSettings(4096, mode,
            TimeUnit.MILLISECONDS.toNanos(stallMillis), TimeUnit.SECONDS.toNanos(1)));
        return transport;
    }

    @AfterEach
    void closeTransport() {
        if (transport != null) {
            transport.close();
        }
        assertTrue(store.segments.isEmpty(), "segments left: " + store.segments.keySet());
    }

    private static ByteBuf text(final String value) {
        return Unpooled.copiedBuffer(value, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(IdleMode.class)
    void shouldDeliverEveryFrameInOrder(final IdleMode mode) throws Exception {
        final FilemapTransport transport = transport(mode, 2000);
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(NODE, frame -> received.add(frame.toString(StandardCharsets.UTF_8)));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        final SharedRegion region = store.open(NODE, inbox.address(), 1).region();
        final List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            assertEquals(Outlet.SENT, outlet.offer(text("m" + i), TimeUnit.SECONDS.toNanos(5)));
            if (i % 500 == 0 && (mode == IdleMode.BLOCK || mode == IdleMode.HYBRID)) {
                // Wait until the reader has taken everything and sleeps on the doorbell (its waiting word is set),
                // so that the next frame goes through the doorbell path.
                while (delivered.size() <= i) {
                    delivered.add(Objects.requireNonNull(received.poll(5, TimeUnit.SECONDS), "frame " + i));
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (region.getIntVolatile(SegmentDescriptor.WAITING_OFFSET) == 0) {
                    assertTrue(System.nanoTime() < deadline, "the reader never went to sleep");
                    Thread.onSpinWait();
                }
            }
        }
        while (delivered.size() < 2000) {
            delivered.add(Objects.requireNonNull(received.poll(5, TimeUnit.SECONDS), "frame " + delivered.size()));
        }
        for (int i = 0; i < 2000; i++) {
            assertEquals("m" + i, delivered.get(i));
        }
        assertTrue(errors.isEmpty(), errors.toString());
        // The reader publishes its counters when a batch ends, after the batch's frames were delivered.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<String, Long> counters = transport.segmentCounters(NODE, inbox.address());
        while (counters.get("framesRead") < 2000 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            counters = transport.segmentCounters(NODE, inbox.address());
        }
        assertEquals(2000, counters.get("framesRead"));
        if (mode == IdleMode.BLOCK || mode == IdleMode.HYBRID) {
            assertTrue(counters.get("wakeups") > 0, counters.toString());
            assertTrue(counters.get("doorbellRings") > 0, counters.toString());
        }
    }

    @Test
    void shouldReturnBackPressuredWhenTheInboxStaysFull() throws Exception {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final CountDownLatch release = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(NODE, frame -> await(release));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[500]);
        int sent = 0;
        while (outlet.offer(frame, 0) == Outlet.SENT) {
            sent++;
        }
        assertTrue(sent >= 7, "sent=" + sent);
        final long start = System.nanoTime();
        assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, TimeUnit.MILLISECONDS.toNanos(100)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        assertTrue(transport.segmentCounters(NODE, inbox.address()).get("backpressureWaits") >= 2);
        release.countDown();
        assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)));
    }

    @Test
    void shouldReleaseAWaitingWriterAtOnceWhenTheReaderDies() throws Exception {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final CountDownLatch release = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(NODE, frame -> await(release));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[500]);
        while (outlet.offer(frame, 0) == Outlet.SENT) {
            Thread.onSpinWait();
        }
        final CompletableFuture<Integer> result = CompletableFuture.supplyAsync(
            () -> outlet.offer(frame, TimeUnit.SECONDS.toNanos(20)));
        Thread.sleep(50);
        assertFalse(result.isDone());
        final long start = System.nanoTime();
        alive.set(false);
        assertEquals(Outlet.PEER_GONE, result.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        release.countDown();
    }

    @Test
    void shouldReturnClosedWhenTheOutletClosesWhileAWriterWaits() throws Exception {
        final FilemapTransport transport = transport(IdleMode.BLOCK, 2000);
        final CountDownLatch release = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(NODE, frame -> await(release));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[500]);
        while (outlet.offer(frame, 0) == Outlet.SENT) {
            Thread.onSpinWait();
        }
        final CompletableFuture<Integer> result = CompletableFuture.supplyAsync(
            () -> outlet.offer(frame, TimeUnit.SECONDS.toNanos(20)));
        Thread.sleep(50);
        outlet.close();
        assertEquals(Outlet.CLOSED, result.get(5, TimeUnit.SECONDS));
        assertEquals(Outlet.CLOSED, outlet.offer(frame, 0));
        release.countDown();
    }

    @Test
    void shouldReturnPeerGoneOnceTheInboxIsClosed() {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final Inbox inbox = transport.openInbox(NODE, frame -> { });
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        inbox.close();
        inbox.close();
        assertEquals(Outlet.PEER_GONE, outlet.offer(text("late"), 0));
        outlet.close();
    }

    @Test
    void shouldSignalAGoneInboxAsUnavailableAtOnceEvenWhileItsNodeIsAlive() {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final Inbox inbox = transport.openInbox(NODE, frame -> { });
        final String address = inbox.address();
        inbox.close();
        assertTrue(alive.get());
        final SegmentGoneException ex = assertThrows(SegmentGoneException.class,
            () -> transport.openOutlet(NODE, address), "the core, not the transport, retries a live node");
        assertTrue(ex instanceof InboxUnavailableException, String.valueOf(ex));
    }

    @Test
    void shouldReachTheNewInboxOfANodeThatReopenedIt() throws Exception {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Inbox first = transport.openInbox(NODE, frame -> { });
        final Outlet stale = transport.openOutlet(NODE, first.address());
        first.close();
        assertEquals(Outlet.PEER_GONE, stale.offer(text("lost"), 0));
        assertThrows(InboxUnavailableException.class, () -> transport.openOutlet(NODE, first.address()));
        final Inbox second = transport.openInbox(NODE, frame -> received.add(frame.toString(StandardCharsets.UTF_8)));
        final Outlet fresh = transport.openOutlet(NODE, first.address());
        assertEquals(Outlet.SENT, fresh.offer(text("again"), 0));
        assertEquals("again", received.poll(5, TimeUnit.SECONDS));
        stale.close();
        fresh.close();
        second.close();
    }

    @Test
    void shouldRefuseAFrameAboveTheMaxNamingBothNumbers() {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        assertEquals(512, transport.maxFrameLength());
        final Inbox inbox = transport.openInbox(NODE, frame -> { });
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> outlet.offer(Unpooled.wrappedBuffer(new byte[513]), 0));
        assertTrue(ex.getMessage().contains("frameLength=513"), ex.getMessage());
        assertTrue(ex.getMessage().contains("maxFrameLength=512"), ex.getMessage());
        assertTrue(ex.getMessage().contains("capacity=8KiB"), ex.getMessage());
        assertTrue(ex.getMessage().contains("option=capacity"), ex.getMessage());
        assertEquals(dev.ipcbus.spi.NodeIds.format(NODE), ex.node());
        assertEquals(512, ex.maxLength());
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(new byte[512]), 0));
    }

    @Test
    void shouldSkipAStalledClaimAndKeepDelivering() throws Exception {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 100);
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(NODE, frame -> received.add(frame.toString(StandardCharsets.UTF_8)));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(text("before"), 0));
        assertEquals("before", received.poll(5, TimeUnit.SECONDS));
        // A writer claims space and dies before publishing.
        final SharedRegion region = store.open(NODE, inbox.address(), 1).region();
        final long tail = region.getLongVolatile(SegmentDescriptor.TAIL_OFFSET);
        assertTrue(region.compareAndSetLong(SegmentDescriptor.TAIL_OFFSET, tail, tail + 32));
        final long start = System.nanoTime();
        assertEquals(Outlet.SENT, outlet.offer(text("after"), 0));
        assertEquals("after", received.poll(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(1, transport.segmentCounters(NODE, inbox.address()).get("skippedRecords"));
        assertEquals(1, errors.size());
        assertNotNull(errors.get(0).getMessage());
    }

    @Test
    void shouldCloseInboxesAndOutletsWithTheTransport() {
        final FilemapTransport transport = transport(IdleMode.HYBRID, 2000);
        final Inbox inbox = transport.openInbox(NODE, frame -> { });
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        transport.close();
        transport.close();
        assertEquals(Outlet.CLOSED, outlet.offer(text("x"), 0));
        assertThrows(IllegalStateException.class, () -> transport.openInbox(2, frame -> { }));
    }

    @Test
    void shouldDeliverAViewWithoutCopying() throws Exception {
        final FilemapTransport transport = transport(IdleMode.SPIN, 2000);
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(NODE, frame -> received.add(frame.isDirect() + ":"
            + ByteBufUtil.hexDump(frame)));
        final Outlet outlet = transport.openOutlet(NODE, inbox.address());
        outlet.offer(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), 0);
        assertEquals("true:010203", received.poll(5, TimeUnit.SECONDS));
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
