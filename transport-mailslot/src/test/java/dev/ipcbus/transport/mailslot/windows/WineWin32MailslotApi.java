package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.NativeCallException;
import dev.ipcbus.wine.BridgeReply;
import dev.ipcbus.wine.Win32Bridge;

import java.nio.ByteBuffer;

/**
 * {@link Win32MailslotApi} under Wine: every call is made by a {@link Win32Bridge} (a Wine process) on Wine's real
 * mailslots, so {@link WindowsMailslotPlatform}, {@link WindowsDatagramReceiver} and {@link WindowsDatagramSender} run
 * their production logic against real kernel objects. Handles are the bridge process's, passed as numbers; bytes are
 * copied across; a failed call throws {@link NativeCallException} with {@code GetLastError()} read in the Wine thread
 * right after the call, as the JNA implementation does.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; a blocking read holds its own bridge connection and Wine thread.
 */
public final class WineWin32MailslotApi implements Win32MailslotApi {
    private static final long INVALID_HANDLE_VALUE = -1;

    private final Win32Bridge bridge;

    /**
     * @param bridge the Wine process that makes the calls.
     */
    public WineWin32MailslotApi(final Win32Bridge bridge) {
        this.bridge = bridge;
    }

    /**
     * @return the bridge.
     */
    public Win32Bridge bridge() {
        return bridge;
    }

    @Override
    public String currentUserSid() {
        final BridgeReply reply = bridge.call("CurrentUserSid");
        check(reply, "OpenProcessToken/GetTokenInformation", "TokenUser");
        return reply.text(0);
    }

    @Override
    public long CreateMailslot(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final byte[] securityDescriptor) {
        final BridgeReply reply = bridge.call("CreateMailslotW", new long[] {nMaxMessageSize,
            Integer.toUnsignedLong(lReadTimeout)}, Win32Bridge.wide(lpName), securityDescriptor);
        if (reply.value() == INVALID_HANDLE_VALUE) {
            throw failure("CreateMailslot", reply, "name=" + lpName);
        }
        return reply.value();
    }

    @Override
    public void GetMailslotInfo(final long hMailslot, final MailslotInfo info) {
        final BridgeReply reply = bridge.call("GetMailslotInfo", hMailslot);
        check(reply, "GetMailslotInfo", "handle=" + hMailslot);
        info.maxMessageSize = (int) reply.out(0);
        info.nextSize = (int) reply.out(1);
        info.messageCount = (int) reply.out(2);
        info.readTimeout = (int) reply.out(3);
    }

    @Override
    public void SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        check(bridge.call("SetMailslotInfo", hMailslot, Integer.toUnsignedLong(lReadTimeout)), "SetMailslotInfo",
            "handle=" + hMailslot);
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        final BridgeReply reply = bridge.call("CreateFileW", new long[] {dwDesiredAccess, dwShareMode,
            dwCreationDisposition, dwFlagsAndAttributes}, Win32Bridge.wide(lpFileName));
        if (reply.value() == INVALID_HANDLE_VALUE) {
            throw failure("CreateFile", reply, "name=" + lpFileName);
        }
        return reply.value();
    }

    @Override
    public int ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead) {
        final BridgeReply reply = bridge.call("ReadFile", hFile, nNumberOfBytesToRead);
        check(reply, "ReadFile", "handle=" + hFile + ", length=" + nNumberOfBytesToRead);
        lpBuffer.duplicate().put(reply.bytes(0));
        return (int) reply.out(0);
    }

    @Override
    public int WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite) {
        final byte[] bytes = new byte[nNumberOfBytesToWrite];
        lpBuffer.duplicate().get(bytes);
        final BridgeReply reply = bridge.call("WriteFile", new long[] {hFile}, bytes);
        check(reply, "WriteFile", "handle=" + hFile + ", length=" + nNumberOfBytesToWrite);
        return (int) reply.out(0);
    }

    @Override
    public void CloseHandle(final long hObject) {
        check(bridge.call("CloseHandle", hObject), "CloseHandle", "handle=" + hObject);
    }

    private void check(final BridgeReply reply, final String function, final String context) {
        if (!reply.ok()) {
            throw failure(function, reply, context);
        }
    }

    private NativeCallException failure(final String function, final BridgeReply reply, final String context) {
        final int code = reply.lastError();
        return new NativeCallException(function, code, bridge.call("FormatMessageW", Integer.toUnsignedLong(code))
            .text(0), context);
    }
}
