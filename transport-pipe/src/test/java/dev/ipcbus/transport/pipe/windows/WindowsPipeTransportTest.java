// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.transport.pipe.core.PipeInbox;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.BusException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.platform.windows.FakeWin32;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.pipe.InboxCloseScenarios;
import dev.ipcbus.transport.pipe.InboxGuardScenarios;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows layer's server and client state machines, driven through the one fake {@link FakeWin32}: runs on any OS.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WindowsPipeTransportTest {
    private static final int MAX = 256 * 1024;

    private final FakeWin32 api = new FakeWin32();
    private final Set<Long> dead = ConcurrentHashMap.newKeySet();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<ByteBuf> buffers = new ArrayList<>();
    private final PipeTransport transport = transport(Duration.ofSeconds(2));

    private PipeTransport transport(final Duration connectTimeout) {
        return transport(new PipeOptions(MAX, connectTimeout));
    }

    private PipeTransport transport(final PipeOptions options) {
        final TransportContext context = new TransportContext("it", new TransportOptions(Map.of()), Path.of("."),
            node -> !dead.contains(node), errors::add);
        return new PipeTransport(context, options, new WindowsPipePlatform(api, "it", errors::add));
    }

    private List<FakeWin32.Created> pipesCreated() {
        return api.created.stream().filter(c -> c.function().equals("CreateNamedPipeW")).toList();
    }

    @AfterEach
    void tearDown() {
        transport.close();
        buffers.forEach(ByteBuf::release);
        // A connection's reader thread closes its handle on its way out, which may be just after close() returned.
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (api.openHandles() != 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        assertEquals(0, api.openHandles(), "every handle closed");
        assertEquals(0, api.pendingOverlapped(), "every OVERLAPPED freed");
        assertEquals(0, api.liveDescriptors(), "every security descriptor freed");
    }

    private ByteBuf frame(final byte[] bytes) {
        final ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        buffers.add(buffer);
        return buffer;
    }

    /** Collects frames. */
    private static final class Collector implements FrameListener {
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(final ByteBuf frame) {
            frames.add(ByteBufUtil.getBytes(frame));
        }
    }

    @Test
    void shouldCreateInstancesWithMessageModeRemoteRejectionAndCurrentUserDescriptor() throws Exception {
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, new Collector());
        assertEquals("\\\\.\\pipe\\ipcbus-it-" + NodeIds.format(node), inbox.address());
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pipesCreated().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        final FakeWin32.Created first = pipesCreated().get(0);
        assertEquals(PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, first.flags());
        assertEquals(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
            first.mode());
        assertEquals("D:P(A;;GA;;;" + FakeWin32.USER_SID + ")", first.sddl());
        final FakeWin32.Created next = pipesCreated().get(1);
        assertEquals(PIPE_ACCESS_DUPLEX, next.flags(), "later instances without FIRST_PIPE_INSTANCE");
        assertEquals(first.mode(), next.mode());
        assertEquals(first.sddl(), next.sddl());
        assertTrue(api.calls.contains("SetNamedPipeHandleState:" + PIPE_READMODE_MESSAGE),
            "client handles start in byte mode and must be switched: " + api.calls);
        assertTrue(api.calls.contains("CreateFileW:" + Integer.toHexString(FILE_FLAG_OVERLAPPED
            | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION)),
            "the client opens with SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION: " + api.calls);
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldKeepBoundariesOfOneByteOddAndMaximumFramesThroughMoreData() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final Random random = new Random(5);
        final List<byte[]> sent = new ArrayList<>();
        for (final int size : new int[] {1, 57, MAX, 1, 65_537, 333, MAX, 0, 1}) {
            final byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            sent.add(bytes);
            assertEquals(Outlet.SENT, outlet.offer(frame(bytes), TimeUnit.SECONDS.toNanos(5)));
        }
        for (final byte[] expected : sent) {
            final byte[] got = collector.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(got);
            assertArrayEquals(expected, got);
        }
        assertThrows(IllegalArgumentException.class, () -> outlet.offer(frame(new byte[MAX + 1]), 0));
        assertEquals(List.of(), errors);
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldFailOpenWhenTheDescriptorCannotBeBuiltAndCreateNoPipe() {
        api.failNext("ConvertStringSecurityDescriptorToSecurityDescriptorW", ERROR_INVALID_PARAMETER, 1);
        final NativeCallException failure = assertThrows(NativeCallException.class,
            () -> transport.openInbox(NodeIds.next(), new Collector()));
        assertEquals("ConvertStringSecurityDescriptorToSecurityDescriptorW", failure.function());
        assertTrue(pipesCreated().isEmpty(), "no pipe created: " + api.created);
    }

    @Test
    void shouldKeepAcceptingAfterTheNextInstanceFailsOnce() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        api.failNext("CreateNamedPipeW", ERROR_NOT_ENOUGH_MEMORY, 1);
        final Outlet first = transport.openOutlet(node, inbox.address());
        assertEquals(Outlet.SENT, first.offer(frame(new byte[] {1}), 0));
        assertArrayEquals(new byte[] {1}, collector.frames.poll(5, TimeUnit.SECONDS));
        final PipeTransport other = transport(Duration.ofSeconds(5));
        try {
            final Outlet second = other.openOutlet(node, inbox.address());
            assertEquals(Outlet.SENT, second.offer(frame(new byte[] {2}), 0));
            assertArrayEquals(new byte[] {2}, collector.frames.poll(5, TimeUnit.SECONDS),
                "the listener survived the failed CreateNamedPipeW and accepts again");
        } finally {
            other.close();
        }
        assertTrue(errors.stream().anyMatch(e -> e instanceof NativeCallException n
            && n.function().equals("CreateNamedPipeW")), "the failure was reported: " + errors);
        errors.clear();
        first.close();
        inbox.close();
    }

    @Test
    void shouldRefuseSquatterHoldingTheName() {
        final long node = NodeIds.next();
        final String name = WindowsPipeNames.inboxName("it", node);
        final long squatter = api.CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE, 1, 0, 0, 0, null);
        final BusException error = assertThrows(BusException.class, () -> transport.openInbox(node, f -> { }));
        assertTrue(error.getMessage().contains("squatter"), error.getMessage());
        api.CloseHandle(squatter);
    }

    @Test
    void shouldWaitForBusyInstancesThenConnectOrBackPressure() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        api.busy(3);
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        assertTrue(api.calls.contains("WaitNamedPipeW"), "ERROR_PIPE_BUSY waits with WaitNamedPipeW");
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {1}), 0));
        assertArrayEquals(new byte[] {1}, collector.frames.poll(5, TimeUnit.SECONDS));

        final PipeTransport impatient = transport(Duration.ofMillis(100));
        api.busy(1_000_000);
        final PipeConnectException busy = assertThrows(PipeConnectException.class,
            () -> impatient.openOutlet(node, inbox.address()));
        assertEquals(Outlet.BACK_PRESSURED, busy.status());
        api.busy(0);
        impatient.close();
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldBackPressureFullPipeThenDeliverInOrderWithoutTheCancelledFrame() throws Exception {
        api.pipeQuota(3000);
        final CountDownLatch release = new CountDownLatch(1);
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, frame -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            collector.onFrame(frame);
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final List<Integer> sent = new ArrayList<>();
        int status = Outlet.SENT;
        long waited = 0;
        for (int id = 0; id < 50 && status == Outlet.SENT; id++) {
            final byte[] bytes = new byte[1000];
            bytes[0] = (byte) id;
            final long start = System.nanoTime();
            status = outlet.offer(frame(bytes), TimeUnit.MILLISECONDS.toNanos(100));
            waited = System.nanoTime() - start;
            if (status == Outlet.SENT) {
                sent.add(id);
            }
        }
        assertEquals(Outlet.BACK_PRESSURED, status);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(90) && waited < TimeUnit.SECONDS.toNanos(2),
            "bounded by the timeout: " + waited);
        assertTrue(api.calls.contains("CancelIoEx"), "the pending write was cancelled");
        release.countDown();
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {(byte) 0xEE}), TimeUnit.SECONDS.toNanos(5)));
        for (final int id : sent) {
            final byte[] got = collector.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(got);
            assertEquals((byte) id, got[0]);
        }
        assertArrayEquals(new byte[] {(byte) 0xEE}, collector.frames.poll(5, TimeUnit.SECONDS));
        assertTrue(collector.frames.isEmpty());
        outlet.close();
        inbox.close();
    }

    @Test
    void shouldReturnPeerGoneWhenInboxClosesAndReleaseWaitingWriterOnDeath() throws Exception {
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, new Collector());
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(frame(new byte[] {1}), 0));
        inbox.close();
        dead.add(node);
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame(new byte[] {2}), TimeUnit.SECONDS.toNanos(1)),
            "ERROR_NO_DATA, then the reconnect finds no instance: ERROR_FILE_NOT_FOUND");
        outlet.close();

        api.pipeQuota(10);
        final CountDownLatch stuck = new CountDownLatch(1);
        final long other = NodeIds.next();
        final PipeInbox slow = (PipeInbox) transport.openInbox(other, f -> {
            try {
                stuck.await(10, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        final Outlet writer = transport.openOutlet(other, slow.address());
        final CompletableFuture<long[]> result = CompletableFuture.supplyAsync(() -> {
            while (true) {
                final long start = System.nanoTime();
                final int status = writer.offer(frame(new byte[100]), TimeUnit.SECONDS.toNanos(15));
                if (status != Outlet.SENT) {
                    return new long[] {status, System.nanoTime() - start};
                }
            }
        });
        Thread.sleep(200);
        dead.add(other);
        final long[] outcome = result.get(5, TimeUnit.SECONDS);
        assertEquals(Outlet.PEER_GONE, outcome[0]);
        assertTrue(outcome[1] < TimeUnit.SECONDS.toNanos(3), "released by liveness, not the 15 s timeout");
        stuck.countDown();
        writer.close();
        slow.close();
    }

    @Test
    void shouldDiscardPartialMessageOfDeadWriterAndKeepServingOthers() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final Outlet good = transport.openOutlet(node, inbox.address());
        final long raw = rawClient(inbox.address(), node);
        api.writeTruncatedAndDie(raw, new byte[100_000], 200_000);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inbox.counters().partialFramesDiscarded() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, inbox.counters().partialFramesDiscarded());
        assertEquals(Outlet.SENT, good.offer(frame(new byte[] {3}), 0));
        assertArrayEquals(new byte[] {3}, collector.frames.poll(5, TimeUnit.SECONDS));
        assertTrue(collector.frames.isEmpty());
        assertEquals(List.of(), errors);
        good.close();
        inbox.close();
    }

    @Test
    void shouldDropMessageCutByCancelledWriteAndDeliverTheNextOneIntact() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final long raw = rawClient(inbox.address(), node);
        api.writeCancelledAfterPartialRead(raw, new byte[WindowsPipePlatform.INITIAL_BUFFER], 200_000);
        write(raw, new byte[] {4, 5, 6});
        assertArrayEquals(new byte[] {4, 5, 6}, collector.frames.poll(5, TimeUnit.SECONDS),
            "the next message is delivered alone, not glued to the cut one");
        api.writeCancelledAfterPartialRead(raw, new byte[WindowsPipePlatform.INITIAL_BUFFER], 200_000);
        final byte[] longer = new byte[150_000];
        longer[0] = 7;
        longer[longer.length - 1] = 8;
        write(raw, longer);
        final byte[] got = collector.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(got);
        assertEquals(longer.length, got.length, "a longer next message is re-homed, not merged");
        assertEquals(7, got[0]);
        assertEquals(8, got[got.length - 1]);
        assertEquals(2, inbox.counters().partialFramesDiscarded());
        assertTrue(collector.frames.isEmpty());
        assertEquals(List.of(), errors);
        closeAllClients();
        inbox.close();
    }

    @Test
    void shouldSkipOversizedMessagesKeepingTheConnectionAndDropABadHelloOnce() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final long raw = rawClient(inbox.address(), node);
        write(raw, new byte[] {1});
        write(raw, new byte[MAX + 10]);
        write(raw, new byte[] {2});
        write(raw, new byte[3 * WindowsPipePlatform.INITIAL_BUFFER + MAX]);
        write(raw, new byte[] {3});
        for (int i = 1; i <= 3; i++) {
            assertArrayEquals(new byte[] {(byte) i}, collector.frames.poll(5, TimeUnit.SECONDS),
                "the messages around the oversize ones, on the same connection");
        }
        final long stranger = connect(inbox.address());
        write(stranger, "GET / HTTP/1.1".getBytes());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (errors.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(2, errors.size(), errors.toString());
        errors.forEach(error -> assertInstanceOf(FrameFormatException.class, error));
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("frameLength=" + (MAX + 10)
            + ", maxFrameLength=" + MAX)), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("not a hello")));
        assertEquals(2, inbox.counters().oversizeFramesDropped());
        assertEquals(1, inbox.counters().malformedConnections(), "only the stranger is dropped");
        closeAllClients();
        errors.clear();
        inbox.close();
    }

    @Test
    void shouldCloseConnectionsThatSendNoHelloInTimeWithBoundedThreads() throws Exception {
        final PipeTransport shortHello = transport(new PipeOptions(MAX, Duration.ofSeconds(5),
            Duration.ofMillis(300)));
        try {
            InboxGuardScenarios.silentConnectionsAreClosedWithBoundedThreads(shortHello, errors, address -> {
                final long client = connect(address);
                return () -> api.CloseHandle(client);
            }, 24);
        } finally {
            shortHello.close();
        }
    }

    @Test
    void shouldCloseAndReportAConnectionWhoseReaderFailsAndLetTheWriterReconnect() throws Exception {
        InboxGuardScenarios.failedReaderClosesItsConnectionAndTheWriterReconnects(transport, errors);
    }

    @Test
    void shouldKeepEachWritersOrderWithManyWriters() throws Exception {
        final Collector collector = new Collector();
        final long node = NodeIds.next();
        final PipeInbox inbox = (PipeInbox) transport.openInbox(node, collector);
        final int writers = 6;
        final int perWriter = 300;
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            final Outlet outlet = transport.openOutlet(node, inbox.address());
            done.add(CompletableFuture.runAsync(() -> {
                final ByteBuf buffer = Unpooled.buffer(16);
                try {
                    for (int i = 0; i < perWriter; i++) {
                        buffer.clear().writeInt(writer).writeInt(i);
                        assertEquals(Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(5)));
                    }
                } finally {
                    buffer.release();
                    outlet.close();
                }
            }));
        }
        final int[] next = new int[writers];
        for (int i = 0; i < writers * perWriter; i++) {
            final byte[] got = collector.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(got);
            final ByteBuffer view = ByteBuffer.wrap(got);
            final int writer = view.getInt();
            assertEquals(next[writer]++, view.getInt());
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        inbox.close();
    }

    @Test
    void shouldStopEveryThreadOnCloseAlsoWhenAListenerCloses() throws Exception {
        InboxCloseScenarios.listenerClosesWhileWritersSend(transport, dead, errors);
    }

    @Test
    void shouldHaveNothingToReclaimAndRefuseForeignAddresses() {
        dead.add(1L);
        transport.reclaim(1, "\\\\.\\pipe\\ipcbus-it-0000000000000001");
        assertThrows(BusException.class, () -> transport.openOutlet(1, "C:\\Windows\\win.ini"));
        final PipeConnectException gone = assertThrows(PipeConnectException.class,
            () -> transport.openOutlet(1, WindowsPipeNames.inboxName("it", 1)));
        assertEquals(Outlet.PEER_GONE, gone.status());
        assertFalse(api.calls.isEmpty());
    }

    private final List<Long> rawClients = new ArrayList<>();

    private long rawClient(final String name, final long node) throws InterruptedException {
        final long client = connect(name);
        final ByteBuf hello = Unpooled.buffer(PipeHelloDescriptor.LENGTH).writeZero(PipeHelloDescriptor.LENGTH);
        PipeHelloDescriptor.write(hello, 0, node);
        write(client, ByteBufUtil.getBytes(hello));
        hello.release();
        return client;
    }

    private long connect(final String name) {
        while (true) {
            final long handle = api.CreateFileW(name, GENERIC_WRITE, 0, null, OPEN_EXISTING, FILE_FLAG_OVERLAPPED);
            if (handle != INVALID_HANDLE_VALUE) {
                return handle;
            }
            assertEquals(ERROR_PIPE_BUSY, api.GetLastError());
            api.WaitNamedPipeW(name, 1000);
        }
    }

    private void write(final long client, final byte[] bytes) {
        rawClients.add(client);
        final long event = api.CreateEventW(null, true, false, null);
        final long io = api.allocateOverlapped(event);
        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        if (!api.WriteFile(client, direct, bytes.length, null, io)) {
            assertEquals(ERROR_IO_PENDING, api.GetLastError());
            api.GetOverlappedResult(client, io, new int[1], true);
        }
        api.freeOverlapped(io);
        api.CloseHandle(event);
    }

    private void closeAllClients() {
        for (final long client : new java.util.LinkedHashSet<>(rawClients)) {
            api.CloseHandle(client);
        }
    }
}
