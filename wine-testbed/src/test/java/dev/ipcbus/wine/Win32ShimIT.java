// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.ipcbus.platform.windows.Advapi32;
import dev.ipcbus.platform.windows.Kernel32;
import dev.ipcbus.platform.windows.SECURITY_ATTRIBUTES;
import dev.ipcbus.platform.windows.SIZE_T;
import dev.ipcbus.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shim libraries against Wine's real objects, driven through a JNA binding declared and loaded as the production
 * one is ({@link ShimBinding}): the JVM is its own Windows process; last errors per thread; wide strings beyond ASCII
 * and the BMP; blocking calls per thread and their cancellation; overlapped I/O with its status fields and the
 * policing of buffers; memory Wine allocates copied, relocated and freed by {@code LocalFree}; mappings whose bytes a
 * second Wine process shares; and the bridge's end with its JVM.
 */
// A separate thread: a test blocked in a Wine call fails at the timeout instead of hanging the build.
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Win32ShimIT {
    private static final int PIPE_ACCESS_DUPLEX = 3;
    private static final int PIPE_TYPE_MESSAGE = 4;
    private static final int PIPE_READMODE_MESSAGE = 2;
    private static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    private static final int GENERIC_READ = 0x80000000;
    private static final int GENERIC_WRITE = 0x40000000;
    private static final int OPEN_EXISTING = 3;
    private static final int PAGE_READWRITE = 4;
    private static final int FILE_MAP_ALL_ACCESS = 0x000F001F;
    private static final int FILE_MAP_READ = 4;
    private static final int TOKEN_QUERY = 8;
    private static final int TOKEN_USER = 1;
    private static final int FORMAT_MESSAGE_ALLOCATE_BUFFER = 0x100;
    private static final int FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
    private static final int FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
    private static final int WAIT_OBJECT_0 = 0;
    private static final int ERROR_FILE_NOT_FOUND = 2;
    private static final int ERROR_INVALID_HANDLE = 6;
    private static final int ERROR_ALREADY_EXISTS = 183;
    private static final int ERROR_MORE_DATA = 234;
    private static final int ERROR_IO_PENDING = 997;
    private static final int ERROR_OPERATION_ABORTED = 995;
    private static final long STATUS_PENDING = 0x103;
    private static final Pointer INVALID_HANDLE_VALUE = new Pointer(-1);

    private static Kernel32 kernel32;
    private static Advapi32 advapi32;
    private static ShimBinding.Extras extras;

    private final List<Pointer> handles = new ArrayList<>();
    private final List<Win32Bridge> peers = new ArrayList<>();
    private String unique;

    @BeforeAll
    static void shim() {
        WineAvailability.assumeAvailable();
        WineShim.install();
        kernel32 = ShimBinding.kernel32();
        advapi32 = ShimBinding.advapi32();
        extras = ShimBinding.extras();
    }

    @BeforeEach
    void setUp(final TestInfo info) {
        unique = info.getTestMethod().orElseThrow().getName() + "-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void tearDown() {
        handles.forEach(kernel32::CloseHandle);
        peers.forEach(Win32Bridge::close);
        assertEquals(0, WineShim.takeViolations(), "no shim violation (see stderr)");
    }

    @Test
    void shouldRunThisJvmAsItsOwnWindowsProcessWithTheTokensUser() {
        final int pid = extras.GetCurrentProcessId();
        assertNotEquals(0, pid);
        assertNotEquals(WineSession.get().bridge().winePid(), pid, "the shim's bridge is this JVM's own process");
        assertTrue(WineShim.bridgePid() > 0);

        final PointerByReference token = new PointerByReference();
        assertTrue(advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), TOKEN_QUERY, token));
        handles.add(token.getValue());
        final IntByReference needed = new IntByReference();
        assertFalse(advapi32.GetTokenInformation(token.getValue(), TOKEN_USER, null, 0, needed));
        assertEquals(122, Native.getLastError(), "ERROR_INSUFFICIENT_BUFFER asks for the size");
        final Memory info = new Memory(needed.getValue());
        assertTrue(advapi32.GetTokenInformation(token.getValue(), TOKEN_USER, info, needed.getValue(), needed));
        final Pointer sid = info.getPointer(0);
        assertTrue(Pointer.nativeValue(sid) >= Pointer.nativeValue(info)
            && Pointer.nativeValue(sid) < Pointer.nativeValue(info) + info.size(), "TOKEN_USER.Sid relocated into "
            + "the caller's buffer");
        final PointerByReference text = new PointerByReference();
        assertTrue(advapi32.ConvertSidToStringSidW(sid, text));
        final String sidString = text.getValue().getWideString(0);
        assertNull(kernel32.LocalFree(text.getValue()));
        assertEquals(WineSession.get().bridge().call("CurrentUserSid").text(0), sidString);
    }

    @Test
    void shouldKeepTheLastErrorPerThreadInErrno() throws Exception {
        assertFalse(kernel32.CloseHandle(new Pointer(0x7777_0000L)));
        final int error = Native.getLastError();
        assertEquals(ERROR_INVALID_HANDLE, error);
        final int elsewhere = CompletableFuture.supplyAsync(() -> {
            extras.GetCurrentProcessId();
            return Native.getLastError();
        }).get(30, TimeUnit.SECONDS);
        assertEquals(0, elsewhere);
        final PointerByReference buffer = new PointerByReference();
        // with FORMAT_MESSAGE_ALLOCATE_BUFFER, lpBuffer is where the allocated text's address goes
        final int units = kernel32.FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER
            | FORMAT_MESSAGE_IGNORE_INSERTS, null, error, 0, buffer.getPointer(), 0, null);
        assertTrue(units > 0);
        final String text = buffer.getValue().getWideString(0);
        assertEquals(units, text.length());
        assertTrue(text.toLowerCase(Locale.ROOT).contains("handle"), text);
        assertNull(kernel32.LocalFree(buffer.getValue()));
    }

    @Test
    void shouldCarryWideNamesMessagesAndTheDescriptorThroughANamedPipe() {
        final String name = "\\\\.\\pipe\\shim-\u00e9\u4e2d\uD83D\uDE00-" + unique;
        final Pointer server = own(kernel32.CreateNamedPipeW(new WString(name), PIPE_ACCESS_DUPLEX,
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 4, 4096, 4096, 0, currentUserOnly()));
        assertNotEquals(INVALID_HANDLE_VALUE, server, () -> "CreateNamedPipeW: " + Native.getLastError());
        final Win32Bridge peer = peer("client");
        final long client = peer.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value();
        assertNotEquals(-1, client, "the other process finds the name the shim created: its UTF-16 is the same");
        assertTrue(kernel32.ConnectNamedPipe(server, null) || Native.getLastError() == 535);
        assertTrue(peer.call("SetNamedPipeHandleState", client, PIPE_READMODE_MESSAGE).ok());
        final byte[] message = bytes(100, 3);
        assertEquals(100, peer.call("WriteFile", new long[] {client}, message).out(0));

        final Memory head = new Memory(40);
        final IntByReference read = new IntByReference();
        assertFalse(kernel32.ReadFile(server, head, 40, read, null));
        assertEquals(ERROR_MORE_DATA, Native.getLastError());
        assertEquals(40, read.getValue());
        final IntByReference total = new IntByReference();
        final IntByReference left = new IntByReference();
        assertTrue(kernel32.PeekNamedPipe(server, null, 0, null, total, left));
        assertEquals(60, left.getValue());
        final Memory peeked = new Memory(8);
        assertTrue(kernel32.PeekNamedPipe(server, peeked, 8, read, total, left));
        assertEquals(52, left.getValue(), "left beyond the bytes peeked (Windows: MessageLength - BytesRead)");
        assertEquals(8, read.getValue());
        assertEquals(message[40], peeked.getByte(0));
        final Memory rest = new Memory(60);
        assertTrue(kernel32.ReadFile(server, rest, 60, read, null));
        final byte[] whole = new byte[100];
        head.read(0, whole, 0, 40);
        rest.read(0, whole, 40, 60);
        assertArrayEquals(message, whole);

        final String dacl = daclOf(server);
        assertTrue(dacl.startsWith("D:P") && dacl.contains(currentUserSid()) && !dacl.contains(";WD)"), dacl);
    }

    @Test
    void shouldCancelABlockingReadOfAnotherThread() throws Exception {
        final String name = pipeName();
        final Pointer server = own(kernel32.CreateNamedPipeW(new WString(name), PIPE_ACCESS_DUPLEX,
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, currentUserOnly()));
        final Win32Bridge peer = peer("client");
        assertNotEquals(-1, peer.call("CreateFileW", new long[] {GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value());
        assertTrue(kernel32.ConnectNamedPipe(server, null) || Native.getLastError() == 535);
        final CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            final Memory buffer = new Memory(64);
            return kernel32.ReadFile(server, buffer, 64, new IntByReference(), null) ? 0 : Native.getLastError();
        });
        // The read blocks on its own thread's connection; this thread still makes calls. Cancel until the read is
        // seen cancelled (a cancel that comes before the read starts finds nothing to cancel).
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Integer error = null;
        while (error == null && System.nanoTime() < deadline) {
            kernel32.CancelIoEx(server, null);
            try {
                error = reader.get(100, TimeUnit.MILLISECONDS);
            } catch (final TimeoutException ignore) {
                // the read had not started yet: cancel again
            }
        }
        assertEquals(ERROR_OPERATION_ABORTED, error);
    }

    @Test
    void shouldWriteOverlappedAndReportItsStatusAsWindowsDoes() {
        final Overlapped io = overlappedPair(256);
        final byte[] message = bytes(4096, 5);
        final Memory buffer = new Memory(message.length);
        buffer.write(0, message, 0, message.length);
        final boolean done = kernel32.WriteFile(io.client, buffer, message.length, null, io.overlapped);
        if (!done) {
            assertEquals(ERROR_IO_PENDING, Native.getLastError());
            assertEquals(STATUS_PENDING, io.overlapped.getLong(0), "Internal is STATUS_PENDING while pending");
        }
        final BridgeReply read = io.peer.call("ReadFile", io.server, 8192);
        assertTrue(read.ok());
        assertArrayEquals(message, read.bytes(0));
        final IntByReference transferred = new IntByReference();
        assertTrue(kernel32.GetOverlappedResult(io.client, io.overlapped, transferred, true));
        assertEquals(message.length, transferred.getValue());
        assertEquals(0, io.overlapped.getLong(0), "Internal is STATUS_SUCCESS at completion");
        assertEquals(message.length, io.overlapped.getLong(8), "InternalHigh is the byte count");
        assertEquals(WAIT_OBJECT_0, kernel32.WaitForSingleObject(io.event, 0), "the event is signaled");
    }

    @Test
    void shouldReportAWriteBufferChangedBeforeCompletion() {
        final Overlapped io = overlappedPair(256);
        final Memory buffer = new Memory(4096);
        buffer.write(0, bytes(4096, 7), 0, 4096);
        assertFalse(kernel32.WriteFile(io.client, buffer, 4096, null, io.overlapped), "pends: larger than the "
            + "pipe's buffer");
        assertEquals(ERROR_IO_PENDING, Native.getLastError());
        buffer.setByte(100, (byte) 0x55); // what a caller that reuses or frees the buffer does
        assertTrue(io.peer.call("ReadFile", io.server, 8192).ok());
        assertTrue(kernel32.GetOverlappedResult(io.client, io.overlapped, new IntByReference(), true));
        assertEquals(1, WineShim.takeViolations(), "the changed buffer is reported");
    }

    @Test
    void shouldDeliverAnOverlappedReadAtCompletionAndPoliceItsBuffer() {
        final Overlapped io = overlappedPair(256);
        final Memory buffer = new Memory(64);
        assertFalse(kernel32.ReadFile(io.client, buffer, 64, null, io.overlapped));
        assertEquals(ERROR_IO_PENDING, Native.getLastError());
        assertEquals(STATUS_PENDING, io.overlapped.getLong(0));
        final byte[] message = bytes(20, 9);
        assertTrue(io.peer.call("WriteFile", new long[] {io.server}, message).ok());
        final IntByReference transferred = new IntByReference();
        assertTrue(kernel32.GetOverlappedResult(io.client, io.overlapped, transferred, true));
        assertEquals(20, transferred.getValue());
        assertArrayEquals(message, buffer.getByteArray(0, 20));
        assertEquals(20, io.overlapped.getLong(8));

        assertFalse(kernel32.ReadFile(io.client, buffer, 64, null, io.overlapped));
        buffer.setByte(3, (byte) 1); // written by someone else while the read is pending
        assertTrue(io.peer.call("WriteFile", new long[] {io.server}, message).ok());
        assertTrue(kernel32.GetOverlappedResult(io.client, io.overlapped, transferred, true));
        assertEquals(1, WineShim.takeViolations(), "the read buffer's canary was broken");
    }

    @Test
    void shouldShareMappedBytesWithAnotherWineProcessAsOneNamedObject() throws Exception {
        final String name = "Local\\shim-" + unique;
        final Path backing = new WineFileMappings(WineSession.get().bridge()).backingFile(name);
        Files.write(backing, bytes(4096, 1)); // a file left by a killed process must not show through
        final Pointer mapping = own(kernel32.CreateFileMappingW(INVALID_HANDLE_VALUE, currentUserOnly(),
            PAGE_READWRITE, 0, 4096, new WString(name)));
        assertNotNull(mapping);
        assertEquals(0, Native.getLastError(), "a new object");
        final Pointer view = kernel32.MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, new SIZE_T(4096));
        assertNotNull(view, () -> "MapViewOfFile: " + Native.getLastError());
        assertArrayEquals(new byte[4096], view.getByteArray(0, 4096), "a new mapping is zero-filled");
        view.write(0, bytes(64, 2), 0, 64);

        final Win32Bridge peer = peer("reader");
        final long other = peer.call("OpenFileMappingW", new long[] {FILE_MAP_READ}, Win32Bridge.wide(name)).value();
        assertNotEquals(0, other);
        final long otherView = peer.call("MapViewOfFile", other, FILE_MAP_READ, 0, 64).value();
        assertArrayEquals(bytes(64, 2), peer.call("ReadMemory", otherView, 64).bytes(0), "the Wine process sees "
            + "the bytes the JVM wrote");

        final Pointer again = kernel32.CreateFileMappingW(INVALID_HANDLE_VALUE, currentUserOnly(), PAGE_READWRITE, 0,
            4096, new WString(name));
        assertEquals(ERROR_ALREADY_EXISTS, Native.getLastError());
        final Pointer secondView = kernel32.MapViewOfFile(again, FILE_MAP_ALL_ACCESS, 0, 0, new SIZE_T(0));
        assertArrayEquals(bytes(64, 2), secondView.getByteArray(0, 64), "the same object, not zeroed again");
        assertTrue(kernel32.UnmapViewOfFile(secondView));
        assertTrue(kernel32.CloseHandle(again));
        final String dacl = daclOf(mapping);
        assertTrue(dacl.contains(currentUserSid()), dacl);

        assertTrue(kernel32.UnmapViewOfFile(view));
        assertFalse(kernel32.UnmapViewOfFile(view));
        peer.call("UnmapViewOfFile", otherView);
        peer.call("CloseHandle", other);
        assertTrue(kernel32.CloseHandle(mapping));
        handles.remove(mapping);
        assertNull(kernel32.OpenFileMappingW(FILE_MAP_READ, false, new WString(name)));
        assertEquals(ERROR_FILE_NOT_FOUND, Native.getLastError(), "the name went with its last handle");
        assertFalse(Files.exists(backing), "and so did its backing file");
    }

    @Test
    void shouldCreateAMailslotWithTheDescriptorAndReadWhatAnotherProcessWrote() {
        final String name = "\\\\.\\mailslot\\shim-" + unique;
        final Pointer slot = own(kernel32.CreateMailslotW(new WString(name), 0, 0, currentUserOnly()));
        assertNotEquals(INVALID_HANDLE_VALUE, slot, () -> "CreateMailslotW: " + Native.getLastError());
        final String dacl = daclOf(slot);
        assertTrue(dacl.startsWith("D:P") && dacl.contains(currentUserSid()) && !dacl.contains(";WD)"), dacl);
        final Win32Bridge peer = peer("writer");
        final long writer = peer.call("CreateFileW", new long[] {GENERIC_WRITE, 3, OPEN_EXISTING, 0},
            Win32Bridge.wide(name)).value();
        assertNotEquals(-1, writer);
        assertTrue(peer.call("WriteFile", new long[] {writer}, bytes(33, 4)).ok());
        final IntByReference next = new IntByReference();
        assertTrue(kernel32.GetMailslotInfo(slot, null, next, new IntByReference(), null));
        assertEquals(33, next.getValue());
        final Memory buffer = new Memory(33);
        final IntByReference read = new IntByReference();
        assertTrue(kernel32.ReadFile(slot, buffer, 33, read, null));
        assertArrayEquals(bytes(33, 4), buffer.getByteArray(0, 33));
        peer.call("CloseHandle", writer);
    }

    @Test
    void shouldEndAChildJvmsBridgeWithTheJvm() throws Exception {
        final String name = "\\\\.\\mailslot\\shim-child-" + unique;
        try (ChildJvm child = ChildJvm.start(ShimChild.class, List.of(), name)) {
            child.awaitLine("READY", Duration.ofSeconds(90));
            assertEquals(INVALID_HANDLE_VALUE, kernel32.CreateMailslotW(new WString(name), 0, 0, currentUserOnly()));
            assertEquals(ERROR_ALREADY_EXISTS, Native.getLastError(), "the child JVM's own Windows process holds it");
        }
        // ChildJvm.close killed the JVM: its bridge lost its lifeline, exited, and Wine freed the name.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Pointer slot = INVALID_HANDLE_VALUE;
        while (INVALID_HANDLE_VALUE.equals(slot) && System.nanoTime() < deadline) {
            slot = kernel32.CreateMailslotW(new WString(name), 0, 0, currentUserOnly());
            if (INVALID_HANDLE_VALUE.equals(slot)) {
                kernel32.WaitForSingleObject(kernel32.GetCurrentProcess(), 50); // a bounded pause in Wine's time
            }
        }
        assertNotEquals(INVALID_HANDLE_VALUE, own(slot), "the name is free once the child's bridge exited");
    }

    /** The pipe pair of an overlapped test: a client end here opened FILE_FLAG_OVERLAPPED, the server in a peer. */
    private Overlapped overlappedPair(final int bufferSize) {
        final String name = pipeName();
        final Win32Bridge peer = peer("server");
        final long server = peer.call("CreateNamedPipeW", new long[] {PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE
            | PIPE_READMODE_MESSAGE, 1, bufferSize, bufferSize, 0}, Win32Bridge.wide(name), Win32Bridge.wide(
            "D:P(A;;GA;;;" + currentUserSid() + ")")).value();
        assertNotEquals(-1, server);
        final Pointer client = own(kernel32.CreateFileW(new WString(name), GENERIC_READ | GENERIC_WRITE, 0, null,
            OPEN_EXISTING, FILE_FLAG_OVERLAPPED, null));
        assertNotEquals(INVALID_HANDLE_VALUE, client, () -> "CreateFileW: " + Native.getLastError());
        assertTrue(kernel32.SetNamedPipeHandleState(client, new IntByReference(PIPE_READMODE_MESSAGE), null, null));
        final Pointer event = own(kernel32.CreateEventW(null, true, false, null));
        final Memory overlapped = new Memory(32);
        overlapped.clear();
        overlapped.setPointer(24, event);
        return new Overlapped(peer, server, client, event, overlapped);
    }

    private record Overlapped(Win32Bridge peer, long server, Pointer client, Pointer event, Memory overlapped) {
    }

    private static String daclOf(final Pointer handle) {
        return WineShim.daclOf(Pointer.nativeValue(handle));
    }

    /** SECURITY_ATTRIBUTES with a current-user-only descriptor, converted by the shim from SDDL. */
    private SECURITY_ATTRIBUTES currentUserOnly() {
        final PointerByReference descriptor = new PointerByReference();
        final IntByReference size = new IntByReference();
        assertTrue(advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString("D:P(A;;GA;;;"
            + currentUserSid() + ")"), 1, descriptor, size));
        final Memory copy = new Memory(size.getValue());
        copy.write(0, descriptor.getValue().getByteArray(0, size.getValue()), 0, size.getValue());
        assertNull(kernel32.LocalFree(descriptor.getValue()));
        final SECURITY_ATTRIBUTES attributes = new SECURITY_ATTRIBUTES();
        attributes.nLength = attributes.size();
        attributes.lpSecurityDescriptor = copy;
        attributes.write();
        keep.add(copy);
        keepAttributes.add(attributes);
        return attributes;
    }

    private final List<SECURITY_ATTRIBUTES> keepAttributes = new ArrayList<>();
    private final List<Memory> keep = new ArrayList<>();

    private static String currentUserSid() {
        return WineSession.get().bridge().call("CurrentUserSid").text(0);
    }

    private String pipeName() {
        return "\\\\.\\pipe\\shim-" + unique;
    }

    private Pointer own(final Pointer handle) {
        if (handle != null && !INVALID_HANDLE_VALUE.equals(handle)) {
            handles.add(handle);
        }
        return handle;
    }

    private Win32Bridge peer(final String name) {
        final Win32Bridge peer = WineSession.get().newBridge(name);
        peers.add(peer);
        return peer;
    }

    private static byte[] bytes(final int length, final int seed) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }
}
