package dev.ipcbus.transport.filemap.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.PointerByReference;

import java.nio.ByteBuffer;

/**
 * The production {@link Win32FileMapApi}: jna-platform's {@code Kernel32} and {@code Advapi32}, plus
 * {@link Advapi32Sddl} for the one function they lack. {@code GetLastError()} is read with
 * {@link Native#getLastError()} immediately after each call.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class JnaWin32FileMapApi implements Win32FileMapApi {
    private static final WinNT.HANDLE INVALID_HANDLE_VALUE = WinBase.INVALID_HANDLE_VALUE;
    private static final ThreadLocal<int[]> LAST_ERROR = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Creates the API; loads nothing until a method is called.
     */
    public JnaWin32FileMapApi() {
    }

    private static Kernel32 kernel32() {
        return Kernel32.INSTANCE;
    }

    @Override
    public String currentUserSid() {
        final WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!Advapi32.INSTANCE.OpenProcessToken(kernel32().GetCurrentProcess(), WinNT.TOKEN_QUERY, token)) {
            final int error = Native.getLastError();
            throw new dev.ipcbus.NativeCallException("OpenProcessToken", error, FormatMessage(error), "");
        }
        try {
            return Advapi32Util.getTokenAccount(token.getValue()).sidString;
        } finally {
            kernel32().CloseHandle(token.getValue());
        }
    }

    private static final class Security implements AutoCloseable {
        final WinBase.SECURITY_ATTRIBUTES attributes = new WinBase.SECURITY_ATTRIBUTES();
        final Pointer descriptor;

        Security(final String sddl) {
            final PointerByReference result = new PointerByReference();
            if (!Advapi32Sddl.Holder.INSTANCE.ConvertStringSecurityDescriptorToSecurityDescriptor(sddl,
                Advapi32Sddl.SDDL_REVISION_1, result, null)) {
                final int error = Native.getLastError();
                throw new dev.ipcbus.NativeCallException("ConvertStringSecurityDescriptorToSecurityDescriptor",
                    error, Kernel32Util.formatMessage(error), "sddl=" + sddl);
            }
            descriptor = result.getValue();
            attributes.dwLength = new WinDef.DWORD(attributes.size());
            attributes.lpSecurityDescriptor = descriptor;
            attributes.bInheritHandle = false;
        }

        @Override
        public void close() {
            Kernel32.INSTANCE.LocalFree(descriptor);
        }
    }

    @Override
    public Result CreateFileMapping(final String securityDescriptor, final int flProtect, final long maximumSize,
        final String lpName) {
        try (Security security = new Security(securityDescriptor)) {
            final WinNT.HANDLE handle = kernel32().CreateFileMapping(INVALID_HANDLE_VALUE, security.attributes,
                flProtect, (int) (maximumSize >>> 32), (int) maximumSize, lpName);
            final int error = Native.getLastError();
            return new Result(value(handle), error);
        }
    }

    @Override
    public Result OpenFileMapping(final int dwDesiredAccess, final String lpName) {
        final WinNT.HANDLE handle = kernel32().OpenFileMapping(dwDesiredAccess, false, lpName);
        final int error = Native.getLastError();
        return new Result(value(handle), error);
    }

    @Override
    public Result MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess,
        final int dwNumberOfBytesToMap) {
        final Pointer view = kernel32().MapViewOfFile(handle(hFileMappingObject), dwDesiredAccess, 0, 0,
            dwNumberOfBytesToMap);
        final int error = Native.getLastError();
        return new Result(view == null ? 0 : Pointer.nativeValue(view), error);
    }

    @Override
    public ByteBuffer wrapView(final long address, final int length) {
        return new Pointer(address).getByteBuffer(0, length);
    }

    @Override
    public int UnmapViewOfFile(final long lpBaseAddress) {
        return kernel32().UnmapViewOfFile(new Pointer(lpBaseAddress)) ? 0 : Native.getLastError();
    }

    @Override
    public Result CreateEvent(final String securityDescriptor, final boolean bManualReset,
        final boolean bInitialState, final String lpName) {
        try (Security security = new Security(securityDescriptor)) {
            final WinNT.HANDLE handle = kernel32().CreateEvent(security.attributes, bManualReset, bInitialState,
                lpName);
            final int error = Native.getLastError();
            return new Result(value(handle), error);
        }
    }

    @Override
    public Result OpenEvent(final int dwDesiredAccess, final String lpName) {
        final WinNT.HANDLE handle = kernel32().OpenEvent(dwDesiredAccess, false, lpName);
        final int error = Native.getLastError();
        return new Result(value(handle), error);
    }

    @Override
    public int SetEvent(final long hEvent) {
        return kernel32().SetEvent(handle(hEvent)) ? 0 : Native.getLastError();
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        final int result = kernel32().WaitForSingleObject(handle(hHandle), dwMilliseconds);
        if (result == WAIT_FAILED) {
            LAST_ERROR.get()[0] = Native.getLastError();
        }
        return result;
    }

    @Override
    public int CloseHandle(final long hObject) {
        return kernel32().CloseHandle(handle(hObject)) ? 0 : Native.getLastError();
    }

    @Override
    public int lastError() {
        return LAST_ERROR.get()[0];
    }

    @Override
    public String FormatMessage(final int code) {
        try {
            return Kernel32Util.formatMessage(code).trim();
        } catch (final RuntimeException ex) {
            return "error " + code;
        }
    }

    private static long value(final WinNT.HANDLE handle) {
        return handle == null ? 0 : Pointer.nativeValue(handle.getPointer());
    }

    private static WinNT.HANDLE handle(final long value) {
        return new WinNT.HANDLE(new Pointer(value));
    }
}
