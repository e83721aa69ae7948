package dev.ipcbus.transport.mailslot.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import dev.ipcbus.NativeCallException;

import java.nio.ByteBuffer;

/**
 * The production {@link Win32MailslotApi}: jna-platform's {@link Kernel32} and {@link Advapi32} where they have the
 * call, {@link Kernel32Mailslot} for the rest. Native libraries load on the first call, not when this class loads.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class JnaWin32MailslotApi implements Win32MailslotApi {
    /** The one instance. */
    static final JnaWin32MailslotApi INSTANCE = new JnaWin32MailslotApi();

    private JnaWin32MailslotApi() {
    }

    @Override
    public String currentUserSid() {
        final WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!Advapi32.INSTANCE.OpenProcessToken(Kernel32.INSTANCE.GetCurrentProcess(), WinNT.TOKEN_QUERY, token)) {
            throw failure("OpenProcessToken", Native.getLastError(), "process=current");
        }
        try {
            return Advapi32Util.getTokenAccount(token.getValue()).sidString;
        } finally {
            Kernel32.INSTANCE.CloseHandle(token.getValue());
        }
    }

    @Override
    public long CreateMailslot(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final byte[] securityDescriptor) {
        final Memory descriptor = new Memory(securityDescriptor.length);
        descriptor.write(0, securityDescriptor, 0, securityDescriptor.length);
        final WinBase.SECURITY_ATTRIBUTES attributes = new WinBase.SECURITY_ATTRIBUTES();
        attributes.dwLength = new WinDef.DWORD(attributes.size());
        attributes.lpSecurityDescriptor = descriptor;
        attributes.bInheritHandle = false;
        final WinNT.HANDLE handle = Kernel32Mailslot.Holder.INSTANCE.CreateMailslot(lpName, nMaxMessageSize,
            lReadTimeout, attributes);
        final int error = Native.getLastError();
        descriptor.close();
        if (handle == null || WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
            throw failure("CreateMailslot", error, "name=" + lpName + ", maxMessageSize=" + nMaxMessageSize);
        }
        return Pointer.nativeValue(handle.getPointer());
    }

    @Override
    public void GetMailslotInfo(final long hMailslot, final MailslotInfo info) {
        final IntByReference maxMessageSize = new IntByReference();
        final IntByReference nextSize = new IntByReference();
        final IntByReference messageCount = new IntByReference();
        final IntByReference readTimeout = new IntByReference();
        if (!Kernel32Mailslot.Holder.INSTANCE.GetMailslotInfo(handle(hMailslot), maxMessageSize, nextSize,
            messageCount, readTimeout)) {
            throw failure("GetMailslotInfo", Native.getLastError(), "handle=" + hMailslot);
        }
        info.maxMessageSize = maxMessageSize.getValue();
        info.nextSize = nextSize.getValue();
        info.messageCount = messageCount.getValue();
        info.readTimeout = readTimeout.getValue();
    }

    @Override
    public void SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        if (!Kernel32Mailslot.Holder.INSTANCE.SetMailslotInfo(handle(hMailslot), lReadTimeout)) {
            throw failure("SetMailslotInfo", Native.getLastError(), "handle=" + hMailslot + ", readTimeout="
                + lReadTimeout);
        }
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        final WinNT.HANDLE handle = Kernel32.INSTANCE.CreateFile(lpFileName, dwDesiredAccess, dwShareMode, null,
            dwCreationDisposition, dwFlagsAndAttributes, null);
        if (handle == null || WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
            throw failure("CreateFile", Native.getLastError(), "name=" + lpFileName);
        }
        return Pointer.nativeValue(handle.getPointer());
    }

    @Override
    public int ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead) {
        if (!lpBuffer.isDirect() || lpBuffer.remaining() < nNumberOfBytesToRead) {
            throw new IllegalArgumentException("ReadFile needs a direct buffer with room: direct="
                + lpBuffer.isDirect() + ", remaining=" + lpBuffer.remaining() + ", length=" + nNumberOfBytesToRead);
        }
        final IntByReference read = new IntByReference();
        final Pointer pointer = Native.getDirectBufferPointer(lpBuffer).share(lpBuffer.position());
        if (!Kernel32Mailslot.Holder.INSTANCE.ReadFile(handle(hFile), pointer, nNumberOfBytesToRead, read, null)) {
            throw failure("ReadFile", Native.getLastError(), "handle=" + hFile + ", length=" + nNumberOfBytesToRead);
        }
        return read.getValue();
    }

    @Override
    public int WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite) {
        final IntByReference written = new IntByReference();
        final boolean ok;
        if (lpBuffer.isDirect()) {
            final Pointer pointer = Native.getDirectBufferPointer(lpBuffer).share(lpBuffer.position());
            ok = Kernel32Mailslot.Holder.INSTANCE.WriteFile(handle(hFile), pointer, nNumberOfBytesToWrite, written,
                null);
        } else {
            final byte[] bytes = new byte[nNumberOfBytesToWrite];
            lpBuffer.duplicate().get(bytes);
            ok = Kernel32.INSTANCE.WriteFile(handle(hFile), bytes, nNumberOfBytesToWrite, written, null);
        }
        if (!ok) {
            throw failure("WriteFile", Native.getLastError(), "handle=" + hFile + ", length="
                + nNumberOfBytesToWrite);
        }
        return written.getValue();
    }

    @Override
    public void CloseHandle(final long hObject) {
        if (!Kernel32.INSTANCE.CloseHandle(handle(hObject))) {
            throw failure("CloseHandle", Native.getLastError(), "handle=" + hObject);
        }
    }

    private static WinNT.HANDLE handle(final long value) {
        return new WinNT.HANDLE(new Pointer(value));
    }

    private static NativeCallException failure(final String function, final int error, final String context) {
        String text;
        try {
            text = Kernel32Util.formatMessage(error);
        } catch (final RuntimeException ex) {
            text = "error " + error;
        }
        return new NativeCallException(function, error, text == null ? "" : text.trim(), context);
    }
}
