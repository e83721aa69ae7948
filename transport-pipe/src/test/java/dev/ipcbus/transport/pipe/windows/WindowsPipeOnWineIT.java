// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.transport.pipe.core.PipeInbox;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.testkit.ChildJvm;
import dev.ipcbus.testkit.OutletChild;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import dev.ipcbus.wine.BridgeReply;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.NativeClient;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineDeviation;
import dev.ipcbus.wine.WineSession;
import dev.ipcbus.wine.WineShim;
import dev.ipcbus.wine.WineWindowsLayer;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows pipe layer against Wine's real named pipes, with writers and readers in different Wine processes:
 * messages longer than the read buffer ({@code ERROR_MORE_DATA} + {@code PeekNamedPipe}), {@code ERROR_PIPE_BUSY} +
 * {@code WaitNamedPipe}, a writer's or the inbox's process dying (broken pipe), the current-user security descriptor
 * applied, a squatter, garbage from a raw client, a prompt close of blocked calls, and a native C client publishing
 * into a bus node's pipe.
 * <p>
 * This JVM's side (the node under test, its inbox, its outlets, the security read-back) runs the production binding,
 * {@link WindowsPlatform#win32()}, through the Wine shim ({@link WineWindowsLayer}). A plain writer in another process
 * is a child JVM on the production binding ({@link OutletChild}). {@link BridgeWin32} and raw {@link Win32Bridge}
 * processes stand only for <em>other</em> Windows processes that a child JVM cannot play simply: one that is killed
 * mid-test, a squatter, a raw client sending garbage, a one-instance server and its occupant.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(WineWindowsLayer.class) // the shim, and -Dipcbus.platform=windows for Bus.open and child JVMs
class WindowsPipeOnWineIT {
    private static final int PATTERN = 13;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final String bus = "wine-pipe-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void shouldCarryMessagesLongerThanTheReadBufferAcrossProcesses() throws Exception {
        final PipeTransport reader = transport(id -> true);
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Inbox inbox = open(reader, 0x51, received);
        // The writer is another process on the production binding: a child JVM with its own shim bridge.
        final ChildJvm writer = writerChild(0x51, inbox.address());
        final int initial = WindowsPipePlatform.INITIAL_BUFFER;
        final int[] sizes = {57, initial - 1, initial, initial + 1, 3 * initial + 17, 100, 1_000_000,
            reader.maxFrameLength()};
        for (final int size : sizes) {
            assertEquals(Outlet.SENT, offer(writer, size), "frame of " + size + " bytes");
        }
        for (final int size : sizes) {
            final byte[] got = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(got, "frame of " + size + " bytes");
            assertArrayEquals(bytes(size), got, "frame of " + size + " bytes");
        }
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldWaitWithWaitNamedPipeWhileEveryInstanceIsBusy() throws Exception {
        // The one-instance server and its occupant are other Windows processes holding the only instance.
        final Win32Bridge server = process("one-instance-server");
        final String name = WindowsPipeNames.inboxName(bus, 0x52);
        final String sddl = CurrentUserSecurity.currentUserOnly(server.call("CurrentUserSid").text(0));
        final long instance = server.call("CreateNamedPipeW", new long[] {PIPE_ACCESS_DUPLEX,
            WindowsPipePlatform.PIPE_MODE, 1, 0, 65536, 0}, Win32Bridge.wide(name), Win32Bridge.wide(sddl)).value();
        assertNotEquals(INVALID_HANDLE_VALUE, instance);
        final Win32Bridge occupant = process("occupant");
        final long taken = occupant.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value();
        assertNotEquals(INVALID_HANDLE_VALUE, taken);
        final Win32 api = WindowsPlatform.win32();

        final long start = System.nanoTime();
        final PipeConnectException busy = assertThrows(PipeConnectException.class, () -> WindowsPipeConnection.open(api,
            name, 0x52, 65536, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300)));
        assertEquals(Outlet.BACK_PRESSURED, busy.status(), busy.getMessage());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "waited in WaitNamedPipe");

        // The occupant leaves while a writer waits: WaitNamedPipe returns and the writer connects.
        final CompletableFuture<WindowsPipeConnection> waiting = CompletableFuture.supplyAsync(
            () -> WindowsPipeConnection.open(api, name, 0x52, 65536, System.nanoTime() + TimeUnit.SECONDS.toNanos(20)));
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "the writer waits for an instance");
        assertTrue(server.call("DisconnectNamedPipe", instance).ok());
        occupant.call("CloseHandle", taken);
        final CompletableFuture<BridgeReply> accept = CompletableFuture.supplyAsync(
            () -> server.call("ConnectNamedPipe", instance));
        final WindowsPipeConnection connection = waiting.get(20, TimeUnit.SECONDS);
        final BridgeReply accepted = accept.get(10, TimeUnit.SECONDS);
        assertTrue(accepted.ok() || accepted.lastError() == ERROR_PIPE_CONNECTED, "error=" + accepted.lastError());
        final BridgeReply hello = server.call("ReadFile", instance, 4096);
        assertTrue(hello.ok());
        assertEquals(16, hello.out(0), "the hello, as one message");
        connection.close();
        server.call("CloseHandle", instance);
    }

    @Test
    void shouldEndAConnectionWhoseWriterProcessDiedAndKeepServing() throws Exception {
        final PipeTransport reader = transport(id -> true);
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final PipeInbox inbox = (PipeInbox) open(reader, 0x53, received);
        // The writer's Windows process is killed mid-test: a bridge process, BridgeWin32's one role.
        final Win32Bridge doomed = WineSession.get().newBridge("doomed-writer");
        final PipeTransport writer = transportIn(doomed, id -> true);
        final Outlet outlet = writer.openOutlet(0x53, inbox.address());
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(bytes(100)), TimeUnit.SECONDS.toNanos(5)));
        assertNotNull(received.poll(10, TimeUnit.SECONDS));
        assertEquals(1, inbox.counters().connectionsOpen());
        doomed.kill();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inbox.counters().connectionsOpen() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, inbox.counters().connectionsOpen(), "ERROR_BROKEN_PIPE ended the dead writer's connection");
        assertTrue(errors.isEmpty(), "a dead writer is an orderly end, not an error: " + errors);
        final Outlet next = transport(id -> true).openOutlet(0x53, inbox.address());
        resources.add(next);
        assertEquals(Outlet.SENT, next.offer(Unpooled.wrappedBuffer(bytes(200)), TimeUnit.SECONDS.toNanos(5)));
        assertArrayEquals(bytes(200), received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldReportPeerGoneWhenTheInboxProcessDied() throws Exception {
        // The inbox's Windows process is killed mid-test: a bridge process, BridgeWin32's one role.
        final Win32Bridge doomed = WineSession.get().newBridge("doomed-reader");
        resources.add(doomed);
        final PipeTransport reader = transportIn(doomed, id -> true);
        final Inbox inbox = reader.openInbox(0x54, frame -> { });
        final AtomicBoolean alive = new AtomicBoolean(true);
        final PipeTransport writer = transport(id -> alive.get());
        final Outlet outlet = writer.openOutlet(0x54, inbox.address());
        resources.add(outlet);
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(bytes(100)), TimeUnit.SECONDS.toNanos(5)));
        doomed.kill();
        alive.set(false);
        assertEquals(Outlet.PEER_GONE, outlet.offer(Unpooled.wrappedBuffer(bytes(100)), TimeUnit.SECONDS.toNanos(5)),
            "a write into the dead process's pipe fails (ERROR_NO_DATA) and the node is dead");
    }

    @Test
    void shouldCreateInstancesWithTheCurrentUserOnlyDescriptor() {
        final Win32 api = WindowsPlatform.win32();
        final PipeTransport reader = transport(id -> true);
        final Inbox inbox = open(reader, 0x55, new LinkedBlockingQueue<>());
        // Read back through the production binding and the shim: a client handle of this process on the inbox's pipe.
        final long handle = api.CreateFileW(inbox.address(), GENERIC_READ | GENERIC_WRITE, 0, null, OPEN_EXISTING, 0);
        assertNotEquals(INVALID_HANDLE_VALUE, handle, "error=" + api.GetLastError());
        try {
            final String dacl = WineShim.daclOf(handle);
            final String sid = CurrentUserSecurity.currentUserSid(api);
            assertEquals("D:P(A;;FA;;;" + sid + ")", dacl.replace("GA", "FA"),
                "one entry, full access for the current user, nothing inherited, no Everyone or Anonymous");
        } finally {
            api.CloseHandle(handle);
        }
    }

    @Test
    void shouldRefuseASquatterOrSkipOnWine() {
        final PipeTransport first = transport(id -> true);
        open(first, 0x56, new LinkedBlockingQueue<>());
        // The squatter is another Windows process taking the same name: a bridge process, BridgeWin32's one role.
        final PipeTransport squatter = transportIn(process("squatter"), id -> true);
        Inbox second = null;
        BusException refused = null;
        try {
            second = squatter.openInbox(0x56, frame -> { });
            resources.add(second);
        } catch (final BusException ex) {
            refused = ex;
        }
        WineDeviation.FIRST_PIPE_INSTANCE_IGNORED.skipIf(second != null);
        assertNotNull(refused);
        assertTrue(refused.getMessage().contains("already held"), refused.getMessage());
    }

    @Test
    void shouldDropAConnectionThatSendsGarbageAndKeepServing() throws Exception {
        final PipeTransport reader = transport(id -> true);
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final PipeInbox inbox = (PipeInbox) open(reader, 0x57, received);
        // A foreign raw client in another Windows process: raw bridge calls.
        final Win32Bridge raw = process("raw-client");
        final long handle = raw.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(inbox.address())).value();
        assertNotEquals(INVALID_HANDLE_VALUE, handle);
        assertTrue(raw.call("SetNamedPipeHandleState", handle, PIPE_READMODE_MESSAGE).ok());
        assertTrue(raw.call("WriteFile", new long[] {handle}, "GET / HTTP/1.0\r\n\r\n".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII)).ok());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inbox.counters().malformedConnections() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        while (inbox.counters().connectionsOpen() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, inbox.counters().malformedConnections());
        assertTrue(errors.stream().anyMatch(e -> e instanceof FrameFormatException), errors.toString());
        final BridgeReply after = raw.call("WriteFile", new long[] {handle}, bytes(10));
        assertFalse(after.ok(), "the inbox dropped the connection");
        raw.call("CloseHandle", handle);
        final Outlet outlet = transport(id -> true).openOutlet(0x57, inbox.address());
        resources.add(outlet);
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(bytes(64)), TimeUnit.SECONDS.toNanos(5)));
        assertArrayEquals(bytes(64), received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldCloseAnInboxWithBlockedConnectAndReadPromptly() throws Exception {
        final PipeTransport reader = transport(id -> true);
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Inbox inbox = reader.openInbox(0x58, frame -> received.add(new byte[frame.readableBytes()]));
        final PipeTransport writer = transport(id -> true);
        final Outlet outlet = writer.openOutlet(0x58, inbox.address());
        resources.add(outlet);
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(bytes(80)), TimeUnit.SECONDS.toNanos(5)));
        assertNotNull(received.poll(10, TimeUnit.SECONDS));
        // Now one thread is blocked in ConnectNamedPipe (the next instance) and one in ReadFile (the idle writer).
        final long start = System.nanoTime();
        inbox.close();
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5_000, "CancelIoEx ended both blocked calls: close took " + millis + " ms");
        assertTrue(errors.isEmpty(), "no thread was left behind: " + errors);
    }

    @Test
    void shouldReceiveAFrameFromANativeClient() throws Exception {
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Bus node = Bus.open(BusConfig.builder().uri("pipe://" + bus)
            .errorHandler(errors::add).build());
        resources.add(node);
        node.subscribe("native.>", String.class, (message, context) -> received.add(context.topic() + " " + message));
        final long nodeId = NodeIds.parse(node.nodeId());
        final WineSession.ProgramResult result = NativeClient.build(WineSession.get()).publishToPipe(
            WindowsPipeNames.inboxName(bus, nodeId), nodeId, "native.pipe", "\"hello from C\"");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("native.pipe hello from C", received.poll(20, TimeUnit.SECONDS), "errors=" + errors);
    }

    private Inbox open(final PipeTransport transport, final long node, final LinkedBlockingQueue<byte[]> into) {
        final Inbox inbox = transport.openInbox(node, frame -> {
            final byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            into.add(copy);
        });
        resources.add(inbox);
        return inbox;
    }

    private Win32Bridge process(final String name) {
        final Win32Bridge bridge = WineSession.get().newBridge(name);
        resources.add(bridge);
        return bridge;
    }

    /** A transport of this JVM's Windows process, on the production binding. */
    private PipeTransport transport(final NodeLiveness liveness) {
        final PipeTransport transport = new PipeTransport(context(liveness), options(),
            new WindowsPipePlatform(WindowsPlatform.win32(), bus, errors::add));
        resources.add(transport);
        return transport;
    }

    /** A transport of another Windows process (one a test kills or that squats a name): {@link BridgeWin32}. */
    private PipeTransport transportIn(final Win32Bridge process, final NodeLiveness liveness) {
        final PipeTransport transport = new PipeTransport(context(liveness), options(),
            new WindowsPipePlatform(new BridgeWin32(process), bus, errors::add));
        resources.add(transport);
        return transport;
    }

    /** A writer in a child JVM on the production binding, with an outlet open to {@code address}. */
    private ChildJvm writerChild(final long node, final String address) {
        final ChildJvm child = ChildJvm.start(OutletChild.class, List.of(), "pipe", bus, "-", Long.toString(node),
            address, Integer.toString(PATTERN));
        resources.add(child);
        child.awaitLine("READY", Duration.ofSeconds(30));
        return child;
    }

    private static int offer(final ChildJvm writer, final int size) {
        writer.send(Integer.toString(size));
        final String line = writer.awaitLine("OFFER " + size + " ", Duration.ofSeconds(30));
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    private TransportContext context(final NodeLiveness liveness) {
        return new TransportContext(bus, new TransportOptions(Map.of()), Path.of("."), liveness, errors::add);
    }

    private static PipeOptions options() {
        return PipeOptions.from(new TransportOptions(Map.of()));
    }

    private static byte[] bytes(final int length) {
        return OutletChild.bytes(length, PATTERN);
    }
}
