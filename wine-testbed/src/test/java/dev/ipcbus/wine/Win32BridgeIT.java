// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge itself against Wine's real kernel objects: calls, last errors, blocking calls on their own connections,
 * cancellation from another thread, two Windows processes sharing named objects, a peer's death, and shared memory
 * between the JVM and a Wine process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Win32BridgeIT {
    private static final int PIPE_ACCESS_DUPLEX = 3;
    private static final int PIPE_TYPE_MESSAGE = 4;
    private static final int PIPE_READMODE_MESSAGE = 2;
    private static final int PIPE_REJECT_REMOTE_CLIENTS = 8;
    private static final int GENERIC_READ = 0x80000000;
    private static final int GENERIC_WRITE = 0x40000000;
    private static final int OPEN_EXISTING = 3;
    private static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    private static final int PAGE_READWRITE = 4;
    private static final int FILE_MAP_ALL_ACCESS = 0x000F001F;
    private static final int WAIT_OBJECT_0 = 0;
    private static final int WAIT_TIMEOUT = 0x102;
    private static final int ERROR_FILE_NOT_FOUND = 2;
    private static final int ERROR_ACCESS_DENIED = 5;
    private static final int ERROR_INVALID_HANDLE = 6;
    private static final int ERROR_BROKEN_PIPE = 109;
    private static final int ERROR_SEM_TIMEOUT = 121;
    private static final int ERROR_INSUFFICIENT_BUFFER = 122;
    private static final int ERROR_ALREADY_EXISTS = 183;
    private static final int ERROR_PIPE_BUSY = 231;
    private static final int ERROR_NO_DATA = 232;
    private static final int ERROR_MORE_DATA = 234;
    private static final int ERROR_OPERATION_ABORTED = 995;
    private static final long INVALID_HANDLE_VALUE = -1;

    private final List<Win32Bridge> extraBridges = new ArrayList<>();
    private final List<long[]> handles = new ArrayList<>();
    private Win32Bridge bridge;
    private String unique;

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @BeforeEach
    void setUp(final TestInfo info) {
        bridge = WineSession.get().bridge();
        unique = info.getTestMethod().orElseThrow().getName() + "-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void tearDown() {
        for (final long[] handle : handles) {
            final Win32Bridge owner = handle[0] == 0 ? bridge : extraBridges.get((int) handle[0] - 1);
            if (owner.isAlive()) {
                owner.call("CloseHandle", handle[1]);
            }
        }
        extraBridges.forEach(Win32Bridge::close);
    }

    @Test
    void shouldRunEachBridgeAsItsOwnWindowsProcess() {
        final Win32Bridge other = second("other");
        final long pid = bridge.call("GetCurrentProcessId").value();
        assertEquals(bridge.winePid(), pid);
        assertNotEquals(pid, other.call("GetCurrentProcessId").value());
        assertTrue(bridge.call("CurrentUserSid").text(0).startsWith("S-1-5-"));
    }

    @Test
    void shouldRefuseAnUnknownFunctionAndKeepServing() {
        assertThrows(Win32BridgeException.class, () -> bridge.call("NoSuchFunction", 1, 2));
        assertEquals(bridge.winePid(), bridge.call("GetCurrentProcessId").value());
    }

    @Test
    void shouldReportGetLastErrorOfTheCallPerThread() {
        final BridgeReply reply = bridge.call("CloseHandle", 0x7777_0000L);
        assertFalse(reply.ok());
        assertEquals(ERROR_INVALID_HANDLE, reply.lastError());
        assertEquals(ERROR_INVALID_HANDLE, bridge.lastError());
        final CompletableFuture<Integer> elsewhere = CompletableFuture.supplyAsync(() -> {
            bridge.call("GetCurrentProcessId");
            return bridge.lastError();
        });
        assertEquals(0, elsewhere.join());
        assertEquals(ERROR_INVALID_HANDLE, bridge.lastError());
        final String text = bridge.call("FormatMessageW", ERROR_INVALID_HANDLE).text(0);
        assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains("handle"), "Wine's system text: " + text);
    }

    @Test
    void shouldKeepMessageBoundariesAndReportMoreData() {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 4, currentUserSddl());
        final Win32Bridge client = second("client");
        final long end = own(client, client.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0,
            OPEN_EXISTING, 0}, Win32Bridge.wide(name)).value());
        assertNotEquals(INVALID_HANDLE_VALUE, end);
        assertTrue(bridge.call("ConnectNamedPipe", server).ok() || bridge.lastError() == 535);
        assertTrue(client.call("SetNamedPipeHandleState", end, PIPE_READMODE_MESSAGE).ok());

        final byte[] first = bytes(100, 1);
        final byte[] second = bytes(7, 2);
        assertEquals(100, client.call("WriteFile", new long[] {end}, first).out(0));
        assertEquals(7, client.call("WriteFile", new long[] {end}, second).out(0));

        final BridgeReply head = bridge.call("ReadFile", server, 40);
        assertFalse(head.ok());
        assertEquals(ERROR_MORE_DATA, head.lastError());
        assertEquals(40, head.out(0));
        final BridgeReply peek = bridge.call("PeekNamedPipe", server);
        assertTrue(peek.ok());
        assertEquals(60, peek.out(1), "bytes left in this message");
        final BridgeReply rest = bridge.call("ReadFile", server, 60);
        assertTrue(rest.ok());
        final byte[] whole = new byte[100];
        System.arraycopy(head.bytes(0), 0, whole, 0, 40);
        System.arraycopy(rest.bytes(0), 0, whole, 40, 60);
        assertArrayEquals(first, whole);
        final BridgeReply next = bridge.call("ReadFile", server, 4096);
        assertTrue(next.ok());
        assertArrayEquals(second, next.bytes(0), "the second message is read alone");
    }

    @Test
    void shouldApplyTheCurrentUserSecurityDescriptor() {
        final String name = pipeName();
        final String sddl = currentUserSddl();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, sddl);
        final BridgeReply dacl = bridge.call("GetSecurityInfoDacl", server);
        assertTrue(dacl.ok(), () -> "GetSecurityInfo failed: error=" + dacl.lastError());
        final String sid = bridge.call("CurrentUserSid").text(0);
        assertTrue(dacl.text(0).startsWith("D:P"), dacl.text(0));
        assertTrue(dacl.text(0).contains(sid), dacl.text(0));
        assertFalse(dacl.text(0).contains(";WD)"), "no entry for Everyone: " + dacl.text(0));
        assertFalse(dacl.text(0).contains(";AN)"), "no entry for Anonymous: " + dacl.text(0));
        final BridgeReply bad = bridge.call("CreateNamedPipeW", new long[] {PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE, 1,
            0, 0, 0}, Win32Bridge.wide(pipeName()), Win32Bridge.wide("D:P(A;;GA;;;not-a-sid)"));
        assertEquals(INVALID_HANDLE_VALUE, bad.value(), "a malformed descriptor is refused");
    }

    @Test
    void shouldKeepMessagesReadableAfterTheWriterClosed() {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final Win32Bridge client = second("client");
        final long end = client.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING,
            0x40000000}, Win32Bridge.wide(name)).value();
        assertNotEquals(INVALID_HANDLE_VALUE, end);
        assertTrue(client.call("SetNamedPipeHandleState", end, PIPE_READMODE_MESSAGE).ok());
        final long event = client.call("CreateEventW", new long[] {1, 0}, new byte[0], new byte[0]).value();
        final long overlapped = client.call("AllocateOverlapped", event).value();
        for (int i = 0; i < 10; i++) {
            final BridgeReply write = client.call("WriteFileOverlapped", new long[] {end, overlapped}, bytes(20, i));
            if (!write.ok()) {
                assertEquals(997, write.lastError(), "ERROR_IO_PENDING");
                assertTrue(client.call("GetOverlappedResult", end, overlapped, 1).ok());
            }
        }
        client.call("CloseHandle", end);
        client.call("CloseHandle", event);
        client.call("FreeOverlapped", overlapped);
        int read = 0;
        while (true) {
            final BridgeReply reply = bridge.call("ReadFile", server, 4096);
            if (!reply.ok()) {
                assertEquals(ERROR_BROKEN_PIPE, reply.lastError());
                break;
            }
            assertArrayEquals(bytes(20, read), reply.bytes(0));
            read++;
        }
        assertEquals(10, read, "every message written before the close is still read");
    }

    @Test
    void shouldReportPipeBusyAndTimeOutInWaitNamedPipe() {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final Win32Bridge client = second("client");
        own(client, client.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value());
        final BridgeReply busy = client.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0,
            OPEN_EXISTING, 0}, Win32Bridge.wide(name));
        assertEquals(INVALID_HANDLE_VALUE, busy.value());
        assertEquals(ERROR_PIPE_BUSY, busy.lastError());
        final BridgeReply waited = client.call("WaitNamedPipeW", new long[] {50}, Win32Bridge.wide(name));
        assertFalse(waited.ok());
        assertEquals(ERROR_SEM_TIMEOUT, waited.lastError());
        assertEquals(ERROR_FILE_NOT_FOUND, client.call("CreateFileW", new long[] {GENERIC_READ, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(pipeName())).lastError(), "no such pipe");
        assertTrue(server != 0);
    }

    @Test
    void shouldCancelABlockedConnectNamedPipeFromAnotherThread() throws Exception {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final CompletableFuture<BridgeReply> connect = CompletableFuture.supplyAsync(
            () -> bridge.call("ConnectNamedPipe", server));
        Thread.sleep(200);
        assertFalse(connect.isDone(), "ConnectNamedPipe blocks on its own connection");
        assertEquals(bridge.winePid(), bridge.call("GetCurrentProcessId").value(), "other calls go on meanwhile");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!connect.isDone() && System.nanoTime() < deadline) {
            bridge.call("CancelIoEx", server, 0);
            Thread.sleep(20);
        }
        final BridgeReply reply = connect.get(1, TimeUnit.SECONDS);
        assertFalse(reply.ok());
        assertEquals(ERROR_OPERATION_ABORTED, reply.lastError());
    }

    @Test
    void shouldSeeABrokenPipeWhenThePeerProcessDies() throws Exception {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final Win32Bridge client = second("doomed");
        final long end = client.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value();
        assertNotEquals(INVALID_HANDLE_VALUE, end);
        final CompletableFuture<BridgeReply> read = CompletableFuture.supplyAsync(
            () -> bridge.call("ReadFile", server, 4096));
        Thread.sleep(100);
        assertFalse(read.isDone());
        client.kill();
        final BridgeReply reply = read.get(10, TimeUnit.SECONDS);
        assertFalse(reply.ok());
        assertEquals(ERROR_BROKEN_PIPE, reply.lastError());

        // And the other way round: a writer whose server process died gets ERROR_NO_DATA.
        final String other = pipeName();
        final Win32Bridge serverProcess = second("server");
        createPipe(serverProcess, other, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final long writer = own(bridge, bridge.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0,
            OPEN_EXISTING, 0}, Win32Bridge.wide(other)).value());
        serverProcess.kill();
        final BridgeReply write = bridge.call("WriteFile", new long[] {writer}, bytes(10, 3));
        assertFalse(write.ok());
        assertTrue(write.lastError() == ERROR_NO_DATA || write.lastError() == ERROR_BROKEN_PIPE,
            "error=" + write.lastError());
    }

    @Test
    void shouldObserveFirstPipeInstanceOrSkipOnWine() {
        final String name = pipeName();
        createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 4, currentUserSddl());
        final Win32Bridge squatter = second("squatter");
        final BridgeReply second = squatter.call("CreateNamedPipeW", new long[] {PIPE_ACCESS_DUPLEX
            | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS, 4,
            0, 4096, 0}, Win32Bridge.wide(name), new byte[0]);
        if (second.value() != INVALID_HANDLE_VALUE) {
            own(squatter, second.value());
        }
        WineDeviation.FIRST_PIPE_INSTANCE_IGNORED.skipIf(second.value() != INVALID_HANDLE_VALUE);
        assertEquals(ERROR_ACCESS_DENIED, second.lastError());
    }

    @Test
    void shouldWakeAWaiterThroughANamedEventOfAnotherProcess() throws Exception {
        final String name = "Local\\ipcbus-test-" + unique;
        final long event = own(bridge, bridge.call("CreateEventW", new long[] {0, 0}, Win32Bridge.wide(name),
            Win32Bridge.wide(currentUserSddl())).value());
        assertTrue(event != 0);
        assertEquals(WAIT_TIMEOUT, bridge.call("WaitForSingleObject", event, 20).value());
        final Win32Bridge ringer = second("ringer");
        final long opened = own(ringer, ringer.call("OpenEventW", new long[] {0x0002 | 0x00100000},
            Win32Bridge.wide(name)).value());
        assertTrue(opened != 0);
        final CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(
            () -> bridge.call("WaitForSingleObject", event, 10_000).value());
        Thread.sleep(100);
        assertFalse(waiter.isDone());
        assertTrue(ringer.call("SetEvent", opened).ok());
        assertEquals(WAIT_OBJECT_0, waiter.get(5, TimeUnit.SECONDS));
        // auto-reset: a ring with nobody waiting stays pending for the next wait, once
        assertTrue(ringer.call("SetEvent", opened).ok());
        assertEquals(WAIT_OBJECT_0, bridge.call("WaitForSingleObject", event, 0).value());
        assertEquals(WAIT_TIMEOUT, bridge.call("WaitForSingleObject", event, 0).value());
        final BridgeReply again = bridge.call("CreateEventW", new long[] {0, 0}, Win32Bridge.wide(name), new byte[0]);
        own(bridge, again.value());
        assertEquals(ERROR_ALREADY_EXISTS, again.lastError());
    }

    @Test
    void shouldShareMappedBytesBetweenTheJvmAndWineProcesses() throws Exception {
        final String name = "Local\\ipcbus-test-" + unique;
        final WineFileMappings owner = new WineFileMappings(bridge);
        final BridgeReply created = owner.createFileMapping(currentUserSddl(), PAGE_READWRITE, 65536, name);
        assertTrue(created.ok(), () -> "error=" + created.lastError());
        assertEquals(0, created.lastError());
        final long view = owner.mapViewOfFile(created.value(), FILE_MAP_ALL_ACCESS, 65536).value();
        assertTrue(view != 0);
        final ByteBuffer jvm = owner.wrapView(view, 65536);
        jvm.put(1000, (byte) 42);

        final Win32Bridge peer = second("peer");
        final WineFileMappings other = new WineFileMappings(peer);
        final BridgeReply opened = other.openFileMapping(FILE_MAP_ALL_ACCESS, name);
        assertTrue(opened.ok(), () -> "error=" + opened.lastError());
        final long peerView = other.mapViewOfFile(opened.value(), FILE_MAP_ALL_ACCESS, 65536).value();
        assertEquals(42, peer.call("ReadMemory", peerView + 1000, 1).bytes(0)[0], "the JVM's write, seen in Wine");
        peer.call("WriteMemory", new long[] {peerView + 2000}, new byte[] {7, 8, 9});
        assertEquals(8, jvm.get(2001), "Wine's write, seen in the JVM");
        assertEquals(42, bridge.call("ReadMemory", view + 1000, 1).bytes(0)[0]);

        final BridgeReply twice = owner.createFileMapping(currentUserSddl(), PAGE_READWRITE, 65536, name);
        assertEquals(ERROR_ALREADY_EXISTS, twice.lastError());
        owner.closeHandle(twice.value());
        final String eventName = "Local\\ipcbus-test-event-" + unique;
        own(bridge, bridge.call("CreateEventW", new long[] {0, 0}, Win32Bridge.wide(eventName), new byte[0]).value());
        final BridgeReply clash = owner.createFileMapping(null, PAGE_READWRITE, 4096, eventName);
        assertEquals(0, clash.value());
        assertEquals(ERROR_INVALID_HANDLE, clash.lastError(), "a name used by an event");

        assertTrue(Files.exists(owner.backingFile(name)));
        peer.call("UnmapViewOfFile", peerView);
        other.closeHandle(opened.value());
        owner.unmapViewOfFile(view);
        owner.closeHandle(created.value());
        assertEquals(ERROR_FILE_NOT_FOUND, other.openFileMapping(FILE_MAP_ALL_ACCESS, name).lastError(),
            "the name is gone with its last handle");
        owner.sweep();
        assertFalse(Files.exists(owner.backingFile(name)), "and so is the backing file");
    }

    @Test
    void shouldRefuseASecondMailslotOfOneNameAndSizeReads() {
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        final long slot = own(bridge, bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name),
            new byte[0]).value());
        assertNotEquals(INVALID_HANDLE_VALUE, slot);
        final Win32Bridge other = second("other");
        final BridgeReply taken = other.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name),
            new byte[0]);
        assertEquals(INVALID_HANDLE_VALUE, taken.value());
        assertEquals(ERROR_ALREADY_EXISTS, taken.lastError());

        final long writer = own(other, other.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING, 0x80},
            Win32Bridge.wide(name)).value());
        assertEquals(-1, bridge.call("GetMailslotInfo", slot).out(1), "MAILSLOT_NO_MESSAGE");
        other.call("WriteFile", new long[] {writer}, bytes(300, 4));
        other.call("WriteFile", new long[] {writer}, bytes(5, 5));
        final BridgeReply info = bridge.call("GetMailslotInfo", slot);
        assertEquals(300, info.out(1), "next size");
        final BridgeReply read = bridge.call("ReadFile", slot, info.out(1));
        assertTrue(read.ok());
        assertArrayEquals(bytes(300, 4), read.bytes(0));
        assertEquals(5, bridge.call("GetMailslotInfo", slot).out(1));
    }

    @Test
    void shouldFailAShortMailslotReadOrSkipOnWine() {
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        final long slot = own(bridge, bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name),
            new byte[0]).value());
        final long writer = own(bridge, bridge.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING,
            0x80}, Win32Bridge.wide(name)).value());
        bridge.call("WriteFile", new long[] {writer}, bytes(100, 6));
        final BridgeReply shortRead = bridge.call("ReadFile", slot, 10);
        WineDeviation.MAILSLOT_SHORT_READ_TRUNCATES.skipIf(shortRead.ok() && shortRead.out(0) == 10);
        assertFalse(shortRead.ok());
        assertEquals(ERROR_INSUFFICIENT_BUFFER, shortRead.lastError());
    }

    @Test
    void shouldCountQueuedMailslotMessagesOrSkipOnWine() {
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        final long slot = own(bridge, bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name),
            new byte[0]).value());
        final long writer = own(bridge, bridge.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING,
            0x80}, Win32Bridge.wide(name)).value());
        for (int i = 0; i < 3; i++) {
            bridge.call("WriteFile", new long[] {writer}, bytes(10, i));
        }
        final long count = bridge.call("GetMailslotInfo", slot).out(2);
        WineDeviation.MAILSLOT_COUNT_TOPS_AT_ONE.skipIf(count == 1);
        assertEquals(3, count);
    }

    @Test
    void shouldEnforceTheMailslotMaximumOrSkipOnWine() {
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        own(bridge, bridge.call("CreateMailslotW", new long[] {16, 0}, Win32Bridge.wide(name), new byte[0]).value());
        final long writer = own(bridge, bridge.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING,
            0x80}, Win32Bridge.wide(name)).value());
        final BridgeReply write = bridge.call("WriteFile", new long[] {writer}, bytes(64, 7));
        WineDeviation.MAILSLOT_MAX_SIZE_NOT_ENFORCED.skipIf(write.ok());
        assertFalse(write.ok());
    }

    @Test
    void shouldNeverBlockAMailslotWriterOrSkipOnWine() throws Exception {
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        own(bridge, bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name), new byte[0]).value());
        final Win32Bridge writer = second("flooder");
        final long handle = writer.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING, 0x80},
            Win32Bridge.wide(name)).value();
        assertNotEquals(INVALID_HANDLE_VALUE, handle);
        boolean blocked = false;
        BridgeReply last = null;
        for (int i = 0; i < 2_000 && !blocked; i++) {
            final byte[] message = bytes(1024, i);
            final CompletableFuture<BridgeReply> write = CompletableFuture.supplyAsync(
                () -> writer.call("WriteFile", new long[] {handle}, message));
            try {
                last = write.get(2, TimeUnit.SECONDS);
            } catch (final java.util.concurrent.TimeoutException ex) {
                blocked = true;
            }
            if (last != null && !last.ok()) {
                break;
            }
        }
        // A blocked WriteFile holds its Wine thread until the process ends: end it.
        writer.kill();
        WineDeviation.MAILSLOT_WRITE_BLOCKS_WHEN_FULL.skipIf(blocked);
        assertNotNull(last);
    }

    @Test
    void shouldFindNothingToCancelOrSkipOnWine() {
        final String name = pipeName();
        final long server = createPipe(bridge, name, FILE_FLAG_FIRST_PIPE_INSTANCE, 1, currentUserSddl());
        final BridgeReply cancel = bridge.call("CancelIoEx", server, 0);
        WineDeviation.CANCEL_WITH_NOTHING_PENDING_SUCCEEDS.skipIf(cancel.ok());
        assertEquals(1168, cancel.lastError(), "ERROR_NOT_FOUND");
    }

    @Test
    void shouldServeConcurrentBlockingCallsOnConnectionsOfTheirOwn() throws Exception {
        final long event = own(bridge, bridge.call("CreateEventW", new long[] {1, 0}, new byte[0], new byte[0])
            .value());
        final List<CompletableFuture<Long>> waiters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiters.add(CompletableFuture.supplyAsync(() -> bridge.call("WaitForSingleObject", event, 20_000)
                .value(), runnable -> new Thread(runnable).start()));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bridge.connectionCount() < 7 && System.nanoTime() < deadline) {
            bridge.call("Sleep", 5);
        }
        assertTrue(bridge.connectionCount() >= 7, "six blocked calls plus this one: " + bridge.connectionCount());
        assertTrue(waiters.stream().noneMatch(CompletableFuture::isDone));
        assertTrue(bridge.call("SetEvent", event).ok());
        for (final CompletableFuture<Long> waiter : waiters) {
            assertEquals(WAIT_OBJECT_0, waiter.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldEndTheWineProcessWhenTheBridgeCloses() throws Exception {
        final Win32Bridge shortLived = WineSession.get().newBridge("short-lived");
        final String name = "\\\\.\\mailslot\\ipcbus\\test\\" + unique;
        assertNotEquals(INVALID_HANDLE_VALUE, shortLived.call("CreateMailslotW", new long[] {0, 0},
            Win32Bridge.wide(name), new byte[0]).value());
        shortLived.close();
        assertFalse(shortLived.isAlive());
        assertThrows(Win32BridgeException.class, () -> shortLived.call("GetCurrentProcessId"));
        final BridgeReply again = bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name),
            new byte[0]);
        assertNotEquals(INVALID_HANDLE_VALUE, again.value(), "the dead process's mailslot is gone: error="
            + again.lastError());
        own(bridge, again.value());
    }

    private Win32Bridge second(final String name) {
        final Win32Bridge other = WineSession.get().newBridge(name + "-" + unique);
        extraBridges.add(other);
        return other;
    }

    private long own(final Win32Bridge owner, final long handle) {
        if (handle != 0 && handle != INVALID_HANDLE_VALUE) {
            handles.add(new long[] {owner == bridge ? 0 : extraBridges.indexOf(owner) + 1, handle});
        }
        return handle;
    }

    private long createPipe(final Win32Bridge owner, final String name, final int firstFlag, final int instances,
        final String sddl) {
        final BridgeReply reply = owner.call("CreateNamedPipeW", new long[] {PIPE_ACCESS_DUPLEX | firstFlag,
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS, instances, 0, 4096, 0},
            Win32Bridge.wide(name), Win32Bridge.wide(sddl));
        assertNotEquals(INVALID_HANDLE_VALUE, reply.value(), () -> "CreateNamedPipe failed: " + reply.lastError());
        return own(owner, reply.value());
    }

    private String currentUserSddl() {
        return "D:P(A;;GA;;;" + bridge.call("CurrentUserSid").text(0) + ")";
    }

    private String pipeName() {
        return "\\\\.\\pipe\\ipcbus-test-" + unique + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    private static byte[] bytes(final int length, final int seed) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }
}
