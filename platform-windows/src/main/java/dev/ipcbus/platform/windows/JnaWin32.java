// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The production {@link Win32}: each method makes exactly its one call through {@link Kernel32} or {@link Advapi32}
 * and saves {@link Native#getLastError()} right after it (JNA preserves the error across its own work, on Windows and
 * on the Wine shims alike). The libraries load on first call ({@link Win32Libraries}), never in the constructor, so
 * creating this class is safe on any OS; calling it where {@link WindowsPlatform#unavailabilityCause()} is not
 * {@code null} throws {@link UnsatisfiedLinkError}.
 * <p>
 * Every direct {@link ByteBuffer} whose address is handed to Win32 is kept reachable until the call returns
 * ({@link Reference#reachabilityFence}); a {@link Pointer} taken from it would not keep it alive.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class JnaWin32 implements Win32 {
    private static final int FORMAT_MESSAGE_CHARS = 1024;

    private final Map<Long, OVERLAPPED> overlapped = new ConcurrentHashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    private final Kernel32 kernel32;
    private final Advapi32 advapi32;

    /**
     * Creates the binding; loads nothing until the first call.
     */
    public JnaWin32() {
        this(null, null);
    }

    /**
     * Over given library instances (tests drive the marshalling over Java implementations of the raw interfaces).
     *
     * @param kernel32 kernel32, or {@code null} for the real one, loaded on first use.
     * @param advapi32 advapi32, or {@code null} for the real one, loaded on first use.
     */
    JnaWin32(final Kernel32 kernel32, final Advapi32 advapi32) {
        this.kernel32 = kernel32;
        this.advapi32 = advapi32;
    }

    private Kernel32 kernel32() {
        return kernel32 != null ? kernel32 : Win32Libraries.kernel32();
    }

    private Advapi32 advapi32() {
        return advapi32 != null ? advapi32 : Win32Libraries.advapi32();
    }

    private void saveError() {
        lastError.get()[0] = Native.getLastError();
    }

    private static Pointer pointer(final long value) {
        return value == 0 ? null : new Pointer(value);
    }

    private static long value(final Pointer pointer) {
        return Pointer.nativeValue(pointer);
    }

    private static WString wide(final String text) {
        return text == null ? null : new WString(text);
    }

    private static Pointer address(final ByteBuffer buffer, final int length) {
        if (!buffer.isDirect() || buffer.remaining() < length) {
            throw new IllegalArgumentException("Win32 I/O needs a direct buffer with room: direct=" + buffer.isDirect()
                + ", remaining=" + buffer.remaining() + ", length=" + length);
        }
        return Native.getDirectBufferPointer(buffer).share(buffer.position());
    }

    private static void put(final int[] out, final IntByReference value) {
        if (out != null) {
            out[0] = value.getValue();
        }
    }

    private static IntByReference ref(final int[] out) {
        return out == null ? null : new IntByReference();
    }

    @Override
    public long CreateNamedPipeW(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        final Pointer handle = kernel32().CreateNamedPipeW(wide(lpName), dwOpenMode, dwPipeMode, nMaxInstances,
            nOutBufferSize, nInBufferSize, nDefaultTimeOut, lpSecurityAttributes);
        saveError();
        return value(handle);
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        final boolean ok = kernel32().ConnectNamedPipe(pointer(hNamedPipe), null);
        saveError();
        return ok;
    }

    @Override
    public boolean DisconnectNamedPipe(final long hNamedPipe) {
        final boolean ok = kernel32().DisconnectNamedPipe(pointer(hNamedPipe));
        saveError();
        return ok;
    }

    @Override
    public boolean WaitNamedPipeW(final String lpNamedPipeName, final int nTimeOut) {
        final boolean ok = kernel32().WaitNamedPipeW(wide(lpNamedPipeName), nTimeOut);
        saveError();
        return ok;
    }

    @Override
    public boolean SetNamedPipeHandleState(final long hNamedPipe, final int lpMode) {
        final boolean ok = kernel32().SetNamedPipeHandleState(pointer(hNamedPipe), new IntByReference(lpMode), null,
            null);
        saveError();
        return ok;
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        final IntByReference available = ref(lpTotalBytesAvail);
        final IntByReference left = ref(lpBytesLeftThisMessage);
        final boolean ok = kernel32().PeekNamedPipe(pointer(hNamedPipe), null, 0, null, available, left);
        saveError();
        put(lpTotalBytesAvail, available);
        put(lpBytesLeftThisMessage, left);
        return ok;
    }

    @Override
    public long CreateFileW(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final SECURITY_ATTRIBUTES lpSecurityAttributes, final int dwCreationDisposition,
        final int dwFlagsAndAttributes) {
        final Pointer handle = kernel32().CreateFileW(wide(lpFileName), dwDesiredAccess, dwShareMode,
            lpSecurityAttributes, dwCreationDisposition, dwFlagsAndAttributes, null);
        saveError();
        return value(handle);
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead,
        final int[] lpNumberOfBytesRead) {
        final IntByReference read = new IntByReference();
        final boolean ok;
        try {
            ok = kernel32().ReadFile(pointer(hFile), address(lpBuffer, nNumberOfBytesToRead), nNumberOfBytesToRead,
                read, null);
            saveError();
        } finally {
            // the Pointer does not keep the buffer alive; without this it may be freed while the kernel writes into it
            Reference.reachabilityFence(lpBuffer);
        }
        put(lpNumberOfBytesRead, read);
        return ok;
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite,
        final int[] lpNumberOfBytesWritten, final long lpOverlapped) {
        final IntByReference written = ref(lpNumberOfBytesWritten);
        final boolean ok;
        try {
            ok = kernel32().WriteFile(pointer(hFile), address(lpBuffer, nNumberOfBytesToWrite), nNumberOfBytesToWrite,
                written, pointer(lpOverlapped));
            saveError();
        } finally {
            // for overlapped I/O the caller keeps the buffer reachable until completion (see Win32)
            Reference.reachabilityFence(lpBuffer);
        }
        put(lpNumberOfBytesWritten, written);
        return ok;
    }

    @Override
    public boolean GetOverlappedResult(final long hFile, final long lpOverlapped,
        final int[] lpNumberOfBytesTransferred, final boolean bWait) {
        final IntByReference transferred = new IntByReference();
        final boolean ok = kernel32().GetOverlappedResult(pointer(hFile), pointer(lpOverlapped), transferred, bWait);
        saveError();
        put(lpNumberOfBytesTransferred, transferred);
        return ok;
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        final boolean ok = kernel32().CancelIoEx(pointer(hFile), pointer(lpOverlapped));
        saveError();
        return ok;
    }

    @Override
    public long CreateEventW(final SECURITY_ATTRIBUTES lpEventAttributes, final boolean bManualReset,
        final boolean bInitialState, final String lpName) {
        final Pointer handle = kernel32().CreateEventW(lpEventAttributes, bManualReset, bInitialState, wide(lpName));
        saveError();
        return value(handle);
    }

    @Override
    public long OpenEventW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        final Pointer handle = kernel32().OpenEventW(dwDesiredAccess, bInheritHandle, wide(lpName));
        saveError();
        return value(handle);
    }

    @Override
    public boolean SetEvent(final long hEvent) {
        final boolean ok = kernel32().SetEvent(pointer(hEvent));
        saveError();
        return ok;
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        final int result = kernel32().WaitForSingleObject(pointer(hHandle), dwMilliseconds);
        saveError();
        return result;
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        final boolean ok = kernel32().CloseHandle(pointer(hObject));
        saveError();
        return ok;
    }

    @Override
    public long CreateFileMappingW(final SECURITY_ATTRIBUTES lpFileMappingAttributes, final int flProtect,
        final int dwMaximumSizeHigh, final int dwMaximumSizeLow, final String lpName) {
        final Pointer handle = kernel32().CreateFileMappingW(pointer(Win32Constants.INVALID_HANDLE_VALUE),
            lpFileMappingAttributes, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow, wide(lpName));
        saveError();
        return value(handle);
    }

    @Override
    public long OpenFileMappingW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        final Pointer handle = kernel32().OpenFileMappingW(dwDesiredAccess, bInheritHandle, wide(lpName));
        saveError();
        return value(handle);
    }

    @Override
    public long MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess, final int dwFileOffsetHigh,
        final int dwFileOffsetLow, final long dwNumberOfBytesToMap) {
        final Pointer view = kernel32().MapViewOfFile(pointer(hFileMappingObject), dwDesiredAccess, dwFileOffsetHigh,
            dwFileOffsetLow, new SIZE_T(dwNumberOfBytesToMap));
        saveError();
        return value(view);
    }

    @Override
    public boolean UnmapViewOfFile(final long lpBaseAddress) {
        final boolean ok = kernel32().UnmapViewOfFile(pointer(lpBaseAddress));
        saveError();
        return ok;
    }

    @Override
    public long CreateMailslotW(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        final Pointer handle = kernel32().CreateMailslotW(wide(lpName), nMaxMessageSize, lReadTimeout,
            lpSecurityAttributes);
        saveError();
        return value(handle);
    }

    @Override
    public boolean GetMailslotInfo(final long hMailslot, final int[] lpMaxMessageSize, final int[] lpNextSize,
        final int[] lpMessageCount, final int[] lpReadTimeout) {
        final IntByReference maxMessageSize = ref(lpMaxMessageSize);
        final IntByReference nextSize = ref(lpNextSize);
        final IntByReference messageCount = ref(lpMessageCount);
        final IntByReference readTimeout = ref(lpReadTimeout);
        final boolean ok = kernel32().GetMailslotInfo(pointer(hMailslot), maxMessageSize, nextSize, messageCount,
            readTimeout);
        saveError();
        put(lpMaxMessageSize, maxMessageSize);
        put(lpNextSize, nextSize);
        put(lpMessageCount, messageCount);
        put(lpReadTimeout, readTimeout);
        return ok;
    }

    @Override
    public boolean SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        final boolean ok = kernel32().SetMailslotInfo(pointer(hMailslot), lReadTimeout);
        saveError();
        return ok;
    }

    @Override
    public long GetCurrentProcess() {
        final Pointer process = kernel32().GetCurrentProcess();
        saveError();
        return value(process);
    }

    @Override
    public boolean OpenProcessToken(final long ProcessHandle, final int DesiredAccess, final long[] TokenHandle) {
        final PointerByReference token = new PointerByReference();
        final boolean ok = advapi32().OpenProcessToken(pointer(ProcessHandle), DesiredAccess, token);
        saveError();
        TokenHandle[0] = value(token.getValue());
        return ok;
    }

    @Override
    public boolean GetTokenInformation(final long TokenHandle, final int TokenInformationClass,
        final ByteBuffer TokenInformation, final int TokenInformationLength, final int[] ReturnLength) {
        final IntByReference length = new IntByReference();
        final boolean ok;
        try {
            ok = advapi32().GetTokenInformation(pointer(TokenHandle), TokenInformationClass,
                TokenInformation == null ? null : address(TokenInformation, TokenInformationLength),
                TokenInformationLength, length);
            saveError();
        } finally {
            Reference.reachabilityFence(TokenInformation);
        }
        put(ReturnLength, length);
        return ok;
    }

    @Override
    public boolean ConvertSidToStringSidW(final long Sid, final String[] StringSid) {
        final PointerByReference text = new PointerByReference();
        final boolean ok = advapi32().ConvertSidToStringSidW(pointer(Sid), text);
        saveError();
        if (ok) {
            StringSid[0] = text.getValue().getWideString(0);
            kernel32().LocalFree(text.getValue());
        }
        return ok;
    }

    @Override
    public boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(final String StringSecurityDescriptor,
        final int StringSDRevision, final long[] SecurityDescriptor, final int[] SecurityDescriptorSize) {
        final PointerByReference descriptor = new PointerByReference();
        final IntByReference size = ref(SecurityDescriptorSize);
        final boolean ok = advapi32().ConvertStringSecurityDescriptorToSecurityDescriptorW(
            wide(StringSecurityDescriptor), StringSDRevision, descriptor, size);
        saveError();
        SecurityDescriptor[0] = value(descriptor.getValue());
        put(SecurityDescriptorSize, size);
        return ok;
    }

    @Override
    public long LocalFree(final long hMem) {
        final Pointer result = kernel32().LocalFree(pointer(hMem));
        saveError();
        return value(result);
    }

    @Override
    public int FormatMessageW(final int dwMessageId, final StringBuilder lpBuffer) {
        try (Memory text = new Memory((long) FORMAT_MESSAGE_CHARS * Native.WCHAR_SIZE)) {
            text.clear();
            final int written = kernel32().FormatMessageW(Win32Constants.FORMAT_MESSAGE_FROM_SYSTEM
                | Win32Constants.FORMAT_MESSAGE_IGNORE_INSERTS, null, dwMessageId, 0, text, FORMAT_MESSAGE_CHARS, null);
            saveError();
            if (written > 0) {
                final String message = text.getWideString(0);
                lpBuffer.append(message, 0, Math.min(written, message.length()));
            }
            return written;
        }
    }

    @Override
    public int GetLastError() {
        return lastError.get()[0];
    }

    @Override
    public long allocateOverlapped(final long hEvent) {
        final OVERLAPPED structure = new OVERLAPPED();
        structure.hEvent = pointer(hEvent);
        structure.write();
        final long address = value(structure.getPointer());
        overlapped.put(address, structure); // keeps the native memory alive until freeOverlapped
        return address;
    }

    @Override
    public void freeOverlapped(final long lpOverlapped) {
        overlapped.remove(lpOverlapped);
    }

    @Override
    public ByteBuffer wrapView(final long lpBaseAddress, final int length) {
        return new Pointer(lpBaseAddress).getByteBuffer(0, length);
    }
}
