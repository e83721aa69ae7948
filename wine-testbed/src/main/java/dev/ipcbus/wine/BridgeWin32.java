// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ipcbus.platform.windows.SECURITY_ATTRIBUTES;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Constants;
import dev.ipcbus.platform.windows.WinError;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Win32} under Wine through a {@link Win32Bridge}: every call is made by a Wine process on Wine's real pipes,
 * mailslots, mappings and events.
 * <p>
 * <b>Its one role: another Windows process.</b> A test's own JVM runs the production binding,
 * {@code WindowsPlatform.win32()} ({@code JnaWin32}), through the Wine shim ({@link WineWindowsLayer}), for the node
 * under test and for what it reads back; a plain peer in another process is a child JVM on that same binding. This
 * class plays only the <em>other</em> Windows processes a child JVM cannot play simply: one that a test kills
 * mid-call ({@link Win32Bridge#kill()}), one that squats a name the node wants, a foreign writer. Never use it for the
 * side under test.
 * <p>
 * Handles and {@code OVERLAPPED}s are the bridge process's, passed as numbers; bytes are copied across (the bridge
 * keeps an overlapped write's bytes until completion). What cannot cross the socket is emulated here: a security
 * descriptor is its SDDL, kept by a local address until {@code LocalFree} (the bridge converts it at the create call;
 * a mailslot gets Wine's default descriptor, the bridge taking only binary ones there); the process token and its
 * {@code TokenUser} are local, and {@code ConvertSidToStringSidW} asks the bridge for the user's SID (it does
 * {@code GetTokenInformation(TokenUser)} + {@code ConvertSidToStringSidW}). Mappings are backed by {@code /dev/shm}
 * files ({@link WineFileMappings}) so the JVM shares their bytes.
 * <p>
 * Once the bridge is dead (a test killed the "process"), calls fail with {@code ERROR_INVALID_HANDLE} instead of
 * throwing, so the Java objects that "ran in" it can still be closed.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; a blocking call holds its own bridge connection and Wine thread.
 */
public final class BridgeWin32 implements Win32 {
    private final Win32Bridge bridge;
    private final WineFileMappings mappings;
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    private final Map<Long, String> descriptors = new ConcurrentHashMap<>();
    private final Set<Long> tokens = ConcurrentHashMap.newKeySet();
    private final Set<Long> sids = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextLocal = new AtomicLong(0x5EC0_0000_0000L);

    /**
     * @param bridge the Wine process that makes the calls.
     */
    public BridgeWin32(final Win32Bridge bridge) {
        this.bridge = bridge;
        this.mappings = new WineFileMappings(bridge);
    }

    /**
     * @return the bridge.
     */
    public Win32Bridge bridge() {
        return bridge;
    }

    /**
     * @return the mappings made through this binding (backing files, sweeping).
     */
    public WineFileMappings mappings() {
        return mappings;
    }

    private BridgeReply call(final String function, final long failure, final long... ints) {
        return call(function, failure, ints, new byte[0][]);
    }

    private BridgeReply call(final String function, final long failure, final long[] ints, final byte[]... blobs) {
        return guard(failure, () -> bridge.call(function, ints, blobs));
    }

    private BridgeReply guard(final long failure, final java.util.function.Supplier<BridgeReply> call) {
        BridgeReply reply;
        try {
            reply = call.get();
        } catch (final Win32BridgeException ex) {
            if (bridge.isAlive()) {
                throw ex;
            }
            reply = BridgeReply.failed(failure, WinError.ERROR_INVALID_HANDLE);
        }
        lastError.get()[0] = reply.lastError();
        return reply;
    }

    private boolean local(final boolean ok, final int error) {
        lastError.get()[0] = error;
        return ok;
    }

    private byte[] sddl(final SECURITY_ATTRIBUTES attributes) {
        return attributes == null ? new byte[0]
            : Win32Bridge.wide(descriptors.get(Pointer.nativeValue(attributes.lpSecurityDescriptor)));
    }

    private static long dword(final int value) {
        return Integer.toUnsignedLong(value);
    }

    private static byte[] bytes(final ByteBuffer buffer, final int length) {
        final byte[] bytes = new byte[length];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static void put(final int[] out, final long value) {
        if (out != null) {
            out[0] = (int) value;
        }
    }

    @Override
    public long CreateNamedPipeW(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        return call("CreateNamedPipeW", Win32Constants.INVALID_HANDLE_VALUE, new long[] {dword(dwOpenMode),
            dword(dwPipeMode), nMaxInstances, nOutBufferSize, nInBufferSize, nDefaultTimeOut},
            Win32Bridge.wide(lpName), sddl(lpSecurityAttributes)).value();
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        return call("ConnectNamedPipe", 0, hNamedPipe).ok();
    }

    @Override
    public boolean DisconnectNamedPipe(final long hNamedPipe) {
        return call("DisconnectNamedPipe", 0, hNamedPipe).ok();
    }

    @Override
    public boolean WaitNamedPipeW(final String lpNamedPipeName, final int nTimeOut) {
        return call("WaitNamedPipeW", 0, new long[] {dword(nTimeOut)}, Win32Bridge.wide(lpNamedPipeName)).ok();
    }

    @Override
    public boolean SetNamedPipeHandleState(final long hNamedPipe, final int lpMode) {
        return call("SetNamedPipeHandleState", 0, hNamedPipe, lpMode).ok();
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        final BridgeReply reply = call("PeekNamedPipe", 0, hNamedPipe);
        put(lpTotalBytesAvail, reply.out(0));
        put(lpBytesLeftThisMessage, reply.out(1));
        return reply.ok();
    }

    /** The bridge opens with no security attributes, as every caller of {@code CreateFileW} here does. */
    @Override
    public long CreateFileW(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final SECURITY_ATTRIBUTES lpSecurityAttributes, final int dwCreationDisposition,
        final int dwFlagsAndAttributes) {
        return call("CreateFileW", Win32Constants.INVALID_HANDLE_VALUE, new long[] {dword(dwDesiredAccess),
            dword(dwShareMode), dword(dwCreationDisposition), dword(dwFlagsAndAttributes)},
            Win32Bridge.wide(lpFileName)).value();
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead,
        final int[] lpNumberOfBytesRead) {
        final BridgeReply reply = call("ReadFile", 0, hFile, nNumberOfBytesToRead);
        lpBuffer.duplicate().put(reply.bytes(0));
        put(lpNumberOfBytesRead, reply.out(0));
        return reply.ok();
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite,
        final int[] lpNumberOfBytesWritten, final long lpOverlapped) {
        final byte[] bytes = bytes(lpBuffer, nNumberOfBytesToWrite);
        if (lpOverlapped != 0) {
            return call("WriteFileOverlapped", 0, new long[] {hFile, lpOverlapped}, bytes).ok();
        }
        final BridgeReply reply = call("WriteFile", 0, new long[] {hFile}, bytes);
        put(lpNumberOfBytesWritten, reply.out(0));
        return reply.ok();
    }

    @Override
    public boolean GetOverlappedResult(final long hFile, final long lpOverlapped,
        final int[] lpNumberOfBytesTransferred, final boolean bWait) {
        final BridgeReply reply = call("GetOverlappedResult", 0, hFile, lpOverlapped, bWait ? 1 : 0);
        put(lpNumberOfBytesTransferred, reply.out(0));
        return reply.ok();
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        return call("CancelIoEx", 0, hFile, lpOverlapped).ok();
    }

    @Override
    public long CreateEventW(final SECURITY_ATTRIBUTES lpEventAttributes, final boolean bManualReset,
        final boolean bInitialState, final String lpName) {
        return call("CreateEventW", 0, new long[] {bManualReset ? 1 : 0, bInitialState ? 1 : 0},
            Win32Bridge.wide(lpName), sddl(lpEventAttributes)).value();
    }

    @Override
    public long OpenEventW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        return call("OpenEventW", 0, new long[] {dword(dwDesiredAccess)}, Win32Bridge.wide(lpName)).value();
    }

    @Override
    public boolean SetEvent(final long hEvent) {
        return call("SetEvent", 0, hEvent).ok();
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        return (int) call("WaitForSingleObject", Win32Constants.WAIT_FAILED, hHandle, dword(dwMilliseconds))
            .value();
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        if (tokens.remove(hObject)) {
            return local(true, 0);
        }
        return guard(0, () -> mappings.closeHandle(hObject)).ok();
    }

    @Override
    public long CreateFileMappingW(final SECURITY_ATTRIBUTES lpFileMappingAttributes, final int flProtect,
        final int dwMaximumSizeHigh, final int dwMaximumSizeLow, final String lpName) {
        final String sddl = lpFileMappingAttributes == null ? null
            : descriptors.get(Pointer.nativeValue(lpFileMappingAttributes.lpSecurityDescriptor));
        final long size = ((long) dwMaximumSizeHigh << 32) | Integer.toUnsignedLong(dwMaximumSizeLow);
        return guard(0, () -> mappings.createFileMapping(sddl, flProtect, size, lpName)).value();
    }

    @Override
    public long OpenFileMappingW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        return guard(0, () -> mappings.openFileMapping(dwDesiredAccess, lpName)).value();
    }

    @Override
    public long MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess, final int dwFileOffsetHigh,
        final int dwFileOffsetLow, final long dwNumberOfBytesToMap) {
        return guard(0, () -> mappings.mapViewOfFile(hFileMappingObject, dwDesiredAccess,
            (int) dwNumberOfBytesToMap)).value();
    }

    @Override
    public boolean UnmapViewOfFile(final long lpBaseAddress) {
        return guard(0, () -> mappings.unmapViewOfFile(lpBaseAddress)).ok();
    }

    @Override
    public ByteBuffer wrapView(final long lpBaseAddress, final int length) {
        return mappings.wrapView(lpBaseAddress, length);
    }

    @Override
    public long CreateMailslotW(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        return call("CreateMailslotW", Win32Constants.INVALID_HANDLE_VALUE, new long[] {nMaxMessageSize,
            dword(lReadTimeout)}, Win32Bridge.wide(lpName), new byte[0]).value();
    }

    @Override
    public boolean GetMailslotInfo(final long hMailslot, final int[] lpMaxMessageSize, final int[] lpNextSize,
        final int[] lpMessageCount, final int[] lpReadTimeout) {
        final BridgeReply reply = call("GetMailslotInfo", 0, hMailslot);
        put(lpMaxMessageSize, reply.out(0));
        put(lpNextSize, reply.out(1));
        put(lpMessageCount, reply.out(2));
        put(lpReadTimeout, reply.out(3));
        return reply.ok();
    }

    @Override
    public boolean SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        return call("SetMailslotInfo", 0, hMailslot, dword(lReadTimeout)).ok();
    }

    @Override
    public long GetCurrentProcess() {
        local(true, 0);
        return -1;
    }

    @Override
    public boolean OpenProcessToken(final long ProcessHandle, final int DesiredAccess, final long[] TokenHandle) {
        TokenHandle[0] = nextLocal.getAndIncrement();
        tokens.add(TokenHandle[0]);
        return local(true, 0);
    }

    @Override
    public boolean GetTokenInformation(final long TokenHandle, final int TokenInformationClass,
        final ByteBuffer TokenInformation, final int TokenInformationLength, final int[] ReturnLength) {
        final int needed = 16;
        ReturnLength[0] = needed;
        if (TokenInformation == null || TokenInformationLength < needed) {
            return local(false, WinError.ERROR_INSUFFICIENT_BUFFER);
        }
        // TOKEN_USER.User.Sid: a marker that ConvertSidToStringSidW recognises; the SID itself is the bridge's
        final long sid = Pointer.nativeValue(Native.getDirectBufferPointer(TokenInformation))
            + TokenInformation.position() + 8;
        TokenInformation.duplicate().order(ByteOrder.nativeOrder()).putLong(TokenInformation.position(), sid);
        sids.add(sid);
        return local(true, 0);
    }

    @Override
    public boolean ConvertSidToStringSidW(final long Sid, final String[] StringSid) {
        if (!sids.remove(Sid)) {
            return local(false, WinError.ERROR_INVALID_PARAMETER);
        }
        final BridgeReply reply = call("CurrentUserSid", 0);
        if (reply.ok()) {
            StringSid[0] = reply.text(0);
        }
        return reply.ok();
    }

    @Override
    public boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(final String StringSecurityDescriptor,
        final int StringSDRevision, final long[] SecurityDescriptor, final int[] SecurityDescriptorSize) {
        final long address = nextLocal.getAndIncrement();
        descriptors.put(address, StringSecurityDescriptor);
        SecurityDescriptor[0] = address;
        return local(true, 0);
    }

    @Override
    public long LocalFree(final long hMem) {
        final boolean freed = descriptors.remove(hMem) != null;
        local(freed, freed ? 0 : WinError.ERROR_INVALID_HANDLE);
        return freed ? 0 : hMem;
    }

    @Override
    public int FormatMessageW(final int dwMessageId, final StringBuilder lpBuffer) {
        final BridgeReply reply = call("FormatMessageW", 0, dword(dwMessageId));
        if (reply.ok()) {
            lpBuffer.append(reply.text(0));
        }
        return (int) reply.value();
    }

    @Override
    public int GetLastError() {
        return lastError.get()[0];
    }

    @Override
    public long allocateOverlapped(final long hEvent) {
        return call("AllocateOverlapped", 0, hEvent).value();
    }

    @Override
    public void freeOverlapped(final long lpOverlapped) {
        call("FreeOverlapped", 0, lpOverlapped);
    }
}
