package dev.ipcbus.transport.pipe.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.ipcbus.NativeCallException;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The production {@link Win32PipeApi}: jna-platform's {@code Kernel32}/{@code Advapi32} where they have the function,
 * {@link Kernel32Pipe} and {@link Advapi32Sddl} where they do not. Every JNA interface is loaded lazily through a
 * holder, so constructing this class loads nothing; calling it off Windows fails with {@link UnsatisfiedLinkError}.
 * <p>
 * <b>Status: compiled, not yet run on Windows.</b>
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class JnaWin32PipeApi implements Win32PipeApi {
    private final Map<Long, WinBase.OVERLAPPED> overlapped = new ConcurrentHashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Creates the binding; loads nothing until the first call.
     */
    public JnaWin32PipeApi() {
    }

    private static HANDLE handle(final long value) {
        return new HANDLE(new Pointer(value));
    }

    private static long value(final HANDLE handle) {
        return handle == null ? 0 : Pointer.nativeValue(handle.getPointer());
    }

    private static Pointer pointer(final ByteBuffer buffer) {
        return Native.getDirectBufferPointer(buffer).share(buffer.position());
    }

    /** Reads the error right after the call, before any other native call can overwrite it. */
    private <T> T saveError(final T result) {
        lastError.get()[0] = Native.getLastError();
        return result;
    }

    @Override
    public long CreateNamedPipe(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final String lpSecurityDescriptorSddl) {
        final PointerByReference descriptor = new PointerByReference();
        if (!Advapi32Sddl.Holder.INSTANCE.ConvertStringSecurityDescriptorToSecurityDescriptor(
            lpSecurityDescriptorSddl, Advapi32Sddl.SDDL_REVISION_1, descriptor, null)) {
            final int code = Native.getLastError();
            throw new NativeCallException("ConvertStringSecurityDescriptorToSecurityDescriptor", code,
                Kernel32Util.formatMessage(code), "sddl=" + lpSecurityDescriptorSddl);
        }
        try {
            final WinBase.SECURITY_ATTRIBUTES attributes = new WinBase.SECURITY_ATTRIBUTES();
            attributes.dwLength = new WinDef.DWORD(attributes.size());
            attributes.lpSecurityDescriptor = descriptor.getValue();
            attributes.bInheritHandle = false;
            final HANDLE result = Kernel32.INSTANCE.CreateNamedPipe(lpName, dwOpenMode, dwPipeMode, nMaxInstances,
                nOutBufferSize, nInBufferSize, nDefaultTimeOut, attributes);
            lastError.get()[0] = Native.getLastError();
            return WinBase.INVALID_HANDLE_VALUE.equals(result) ? INVALID_HANDLE_VALUE : value(result);
        } finally {
            Kernel32.INSTANCE.LocalFree(descriptor.getValue());
        }
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        return saveError(Kernel32.INSTANCE.ConnectNamedPipe(handle(hNamedPipe), null));
    }

    @Override
    public boolean DisconnectNamedPipe(final long hNamedPipe) {
        return saveError(Kernel32.INSTANCE.DisconnectNamedPipe(handle(hNamedPipe)));
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        final HANDLE result = saveError(Kernel32.INSTANCE.CreateFile(lpFileName, dwDesiredAccess, dwShareMode, null,
            dwCreationDisposition, dwFlagsAndAttributes, null));
        return WinBase.INVALID_HANDLE_VALUE.equals(result) ? INVALID_HANDLE_VALUE : value(result);
    }

    @Override
    public boolean WaitNamedPipe(final String lpNamedPipeName, final int nTimeOut) {
        return saveError(Kernel32.INSTANCE.WaitNamedPipe(lpNamedPipeName, nTimeOut));
    }

    @Override
    public boolean SetNamedPipeHandleState(final long hNamedPipe, final int lpMode) {
        return saveError(Kernel32.INSTANCE.SetNamedPipeHandleState(handle(hNamedPipe), new IntByReference(lpMode),
            null, null));
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int[] lpNumberOfBytesRead) {
        final IntByReference read = new IntByReference();
        final boolean ok = saveError(Kernel32Pipe.Holder.INSTANCE.ReadFile(handle(hFile), pointer(lpBuffer),
            lpBuffer.remaining(), read, null));
        lpNumberOfBytesRead[0] = read.getValue();
        return ok;
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        final IntByReference available = new IntByReference();
        final IntByReference left = new IntByReference();
        final boolean ok = saveError(Kernel32.INSTANCE.PeekNamedPipe(handle(hNamedPipe), null, 0, null, available,
            left));
        lpTotalBytesAvail[0] = available.getValue();
        lpBytesLeftThisMessage[0] = left.getValue();
        return ok;
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final long lpOverlapped) {
        return saveError(Kernel32Pipe.Holder.INSTANCE.WriteFile(handle(hFile), pointer(lpBuffer),
            lpBuffer.remaining(), null, new Pointer(lpOverlapped)));
    }

    @Override
    public boolean GetOverlappedResult(final long hFile, final long lpOverlapped,
        final int[] lpNumberOfBytesTransferred, final boolean bWait) {
        final IntByReference transferred = new IntByReference();
        final boolean ok = saveError(Kernel32Pipe.Holder.INSTANCE.GetOverlappedResult(handle(hFile),
            new Pointer(lpOverlapped), transferred, bWait));
        lpNumberOfBytesTransferred[0] = transferred.getValue();
        return ok;
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        return saveError(Kernel32Pipe.Holder.INSTANCE.CancelIoEx(handle(hFile),
            lpOverlapped == 0 ? null : new Pointer(lpOverlapped)));
    }

    @Override
    public long CreateEvent(final boolean bManualReset, final boolean bInitialState) {
        return value(saveError(Kernel32.INSTANCE.CreateEvent(null, bManualReset, bInitialState, null)));
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        return saveError(Kernel32.INSTANCE.WaitForSingleObject(handle(hHandle), dwMilliseconds));
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        return saveError(Kernel32.INSTANCE.CloseHandle(handle(hObject)));
    }

    @Override
    public int GetLastError() {
        return lastError.get()[0];
    }

    @Override
    public long allocateOverlapped(final long hEvent) {
        final WinBase.OVERLAPPED structure = new WinBase.OVERLAPPED();
        structure.hEvent = handle(hEvent);
        structure.write();
        final long address = Pointer.nativeValue(structure.getPointer());
        overlapped.put(address, structure); // keeps the native memory alive until freeOverlapped
        return address;
    }

    @Override
    public void freeOverlapped(final long lpOverlapped) {
        overlapped.remove(lpOverlapped);
    }

    @Override
    public String currentUserSid() {
        final WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!Advapi32.INSTANCE.OpenProcessToken(Kernel32.INSTANCE.GetCurrentProcess(), WinNT.TOKEN_QUERY, token)) {
            final int code = Native.getLastError();
            throw new NativeCallException("OpenProcessToken", code, Kernel32Util.formatMessage(code), "");
        }
        try {
            return Advapi32Util.getTokenAccount(token.getValue()).sidString;
        } finally {
            Kernel32.INSTANCE.CloseHandle(token.getValue());
        }
    }

    @Override
    public String formatMessage(final int code) {
        try {
            return Kernel32Util.formatMessage(code).trim();
        } catch (final RuntimeException ex) {
            return "error " + code;
        }
    }
}
