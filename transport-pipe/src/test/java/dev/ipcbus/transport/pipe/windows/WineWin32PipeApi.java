package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.wine.BridgeReply;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.Win32BridgeException;

import java.nio.ByteBuffer;

/**
 * {@link Win32PipeApi} under Wine: every call is made by a {@link Win32Bridge} (a Wine process) on Wine's real named
 * pipes and events, so {@link WindowsPipeInbox} and {@link WindowsPipeConnection} run their production logic against
 * real kernel objects. Handles and {@code OVERLAPPED}s are the bridge process's, passed as numbers; buffers are copied
 * across (the bridge keeps an overlapped write's bytes in memory it owns until the I/O completes, as Windows requires);
 * {@link #GetLastError()} is the calling thread's previous call's, read in the Wine thread right after the call.
 * <p>
 * A test that kills the bridge (a process dying) still holds the Java objects that "ran in" it: once the bridge is
 * dead, calls fail with {@code ERROR_INVALID_HANDLE} instead of throwing, so those objects can be closed and their
 * buffers released.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; a blocking call holds its own bridge connection and Wine thread.
 */
public final class WineWin32PipeApi implements Win32PipeApi {
    /** The handle is invalid: what every call of a process that no longer exists gets here. */
    private static final int ERROR_INVALID_HANDLE = 6;

    private final Win32Bridge bridge;
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * @param bridge the Wine process that makes the calls.
     */
    public WineWin32PipeApi(final Win32Bridge bridge) {
        this.bridge = bridge;
    }

    /**
     * @return the bridge.
     */
    public Win32Bridge bridge() {
        return bridge;
    }

    private BridgeReply call(final String function, final long... ints) {
        return call(function, ints, new byte[0][]);
    }

    private BridgeReply call(final String function, final long[] ints, final byte[]... blobs) {
        BridgeReply reply;
        try {
            reply = bridge.call(function, ints, blobs);
        } catch (final Win32BridgeException ex) {
            if (bridge.isAlive()) {
                throw ex;
            }
            reply = BridgeReply.failed(function.startsWith("Create") && !function.equals("CreateEventW")
                ? INVALID_HANDLE_VALUE : 0, ERROR_INVALID_HANDLE);
        }
        lastError.get()[0] = reply.lastError();
        return reply;
    }

    @Override
    public long CreateNamedPipe(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final String lpSecurityDescriptorSddl) {
        return call("CreateNamedPipeW", new long[] {dwOpenMode, dwPipeMode, nMaxInstances, nOutBufferSize,
            nInBufferSize, nDefaultTimeOut}, Win32Bridge.wide(lpName), Win32Bridge.wide(lpSecurityDescriptorSddl))
            .value();
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        return call("ConnectNamedPipe", hNamedPipe).ok();
    }

    @Override
    public boolean DisconnectNamedPipe(final long hNamedPipe) {
        return call("DisconnectNamedPipe", hNamedPipe).ok();
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        return call("CreateFileW", new long[] {dwDesiredAccess, dwShareMode, dwCreationDisposition,
            dwFlagsAndAttributes}, Win32Bridge.wide(lpFileName)).value();
    }

    @Override
    public boolean WaitNamedPipe(final String lpNamedPipeName, final int nTimeOut) {
        return call("WaitNamedPipeW", new long[] {nTimeOut}, Win32Bridge.wide(lpNamedPipeName)).ok();
    }

    @Override
    public boolean SetNamedPipeHandleState(final long hNamedPipe, final int lpMode) {
        return call("SetNamedPipeHandleState", hNamedPipe, lpMode).ok();
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int[] lpNumberOfBytesRead) {
        final BridgeReply reply = call("ReadFile", hFile, lpBuffer.remaining());
        final byte[] bytes = reply.bytes(0);
        lpBuffer.duplicate().put(bytes);
        lpNumberOfBytesRead[0] = (int) reply.out(0);
        return reply.ok();
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        final BridgeReply reply = call("PeekNamedPipe", hNamedPipe);
        lpTotalBytesAvail[0] = (int) reply.out(0);
        lpBytesLeftThisMessage[0] = (int) reply.out(1);
        return reply.ok();
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final long lpOverlapped) {
        final byte[] bytes = new byte[lpBuffer.remaining()];
        lpBuffer.duplicate().get(bytes);
        return call("WriteFileOverlapped", new long[] {hFile, lpOverlapped}, bytes).ok();
    }

    @Override
    public boolean GetOverlappedResult(final long hFile, final long lpOverlapped,
        final int[] lpNumberOfBytesTransferred, final boolean bWait) {
        final BridgeReply reply = call("GetOverlappedResult", hFile, lpOverlapped, bWait ? 1 : 0);
        lpNumberOfBytesTransferred[0] = (int) reply.out(0);
        return reply.ok();
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        return call("CancelIoEx", hFile, lpOverlapped).ok();
    }

    @Override
    public long CreateEvent(final boolean bManualReset, final boolean bInitialState) {
        return call("CreateEventW", new long[] {bManualReset ? 1 : 0, bInitialState ? 1 : 0}, new byte[0],
            new byte[0]).value();
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        return (int) call("WaitForSingleObject", hHandle, Integer.toUnsignedLong(dwMilliseconds)).value();
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        return call("CloseHandle", hObject).ok();
    }

    @Override
    public int GetLastError() {
        return lastError.get()[0];
    }

    @Override
    public long allocateOverlapped(final long hEvent) {
        return call("AllocateOverlapped", hEvent).value();
    }

    @Override
    public void freeOverlapped(final long lpOverlapped) {
        call("FreeOverlapped", lpOverlapped);
    }

    @Override
    public String currentUserSid() {
        return call("CurrentUserSid").text(0);
    }

    @Override
    public String formatMessage(final int code) {
        return call("FormatMessageW", Integer.toUnsignedLong(code)).text(0);
    }
}
