package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.wine.BridgeReply;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.Win32BridgeException;
import dev.ipcbus.wine.WineFileMappings;

import java.nio.ByteBuffer;

/**
 * {@link Win32FileMapApi} under Wine: every call is made by a {@link Win32Bridge} (a Wine process) on Wine's real
 * named mappings and events, so {@link WindowsSegmentStore} and {@link WindowsEventDoorbell} run their production
 * logic against real kernel objects.
 * <p>
 * Shared memory: each named mapping is backed by a file under {@code /dev/shm} ({@link WineFileMappings}), mapped both
 * by the Wine process ({@code MapViewOfFile}) and by this JVM ({@link #wrapView}), so the Java ring code and the Wine
 * process read and write the same bytes. The one departure from the production {@code CreateFileMapping(
 * INVALID_HANDLE_VALUE, ...)} is that backing (a pagefile-backed view's address is the Wine process's, which the JVM
 * cannot map); names, security descriptors, {@code ERROR_ALREADY_EXISTS}, lifetimes and events are Wine's own.
 * <p>
 * Once the bridge is dead (a test killed the "process"), calls fail with {@code ERROR_INVALID_HANDLE} instead of
 * throwing, so the Java objects that "ran in" it can still be closed.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; a blocking wait holds its own bridge connection and Wine thread.
 */
public final class WineWin32FileMapApi implements Win32FileMapApi {
    private static final int ERROR_INVALID_HANDLE_VALUE = 6;

    private final Win32Bridge bridge;
    private final WineFileMappings mappings;
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * @param bridge the Wine process that makes the calls.
     */
    public WineWin32FileMapApi(final Win32Bridge bridge) {
        this.bridge = bridge;
        this.mappings = new WineFileMappings(bridge);
    }

    /**
     * @return the mappings made through this API (backing files, sweeping).
     */
    public WineFileMappings mappings() {
        return mappings;
    }

    @Override
    public String currentUserSid() {
        return bridge.call("CurrentUserSid").text(0);
    }

    @Override
    public Result CreateFileMapping(final String securityDescriptor, final int flProtect, final long maximumSize,
        final String lpName) {
        return result(guard(() -> mappings.createFileMapping(securityDescriptor, flProtect, maximumSize, lpName)));
    }

    @Override
    public Result OpenFileMapping(final int dwDesiredAccess, final String lpName) {
        return result(guard(() -> mappings.openFileMapping(dwDesiredAccess, lpName)));
    }

    @Override
    public Result MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess,
        final int dwNumberOfBytesToMap) {
        return result(guard(() -> mappings.mapViewOfFile(hFileMappingObject, dwDesiredAccess, dwNumberOfBytesToMap)));
    }

    @Override
    public ByteBuffer wrapView(final long address, final int length) {
        return mappings.wrapView(address, length);
    }

    @Override
    public int UnmapViewOfFile(final long lpBaseAddress) {
        return error(guard(() -> mappings.unmapViewOfFile(lpBaseAddress)));
    }

    @Override
    public Result CreateEvent(final String securityDescriptor, final boolean bManualReset, final boolean bInitialState,
        final String lpName) {
        return result(guard(() -> bridge.call("CreateEventW", new long[] {bManualReset ? 1 : 0, bInitialState ? 1 : 0},
            Win32Bridge.wide(lpName), Win32Bridge.wide(securityDescriptor))));
    }

    @Override
    public Result OpenEvent(final int dwDesiredAccess, final String lpName) {
        return result(guard(() -> bridge.call("OpenEventW", new long[] {Integer.toUnsignedLong(dwDesiredAccess)},
            Win32Bridge.wide(lpName))));
    }

    @Override
    public int SetEvent(final long hEvent) {
        return error(guard(() -> bridge.call("SetEvent", hEvent)));
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        final BridgeReply reply = guard(() -> bridge.call("WaitForSingleObject", hHandle,
            Integer.toUnsignedLong(dwMilliseconds)));
        return reply.ok() || reply.lastError() == 0 ? (int) reply.value() : WAIT_FAILED;
    }

    @Override
    public int CloseHandle(final long hObject) {
        return error(guard(() -> mappings.closeHandle(hObject)));
    }

    @Override
    public int lastError() {
        return lastError.get()[0];
    }

    @Override
    public String FormatMessage(final int code) {
        return bridge.call("FormatMessageW", Integer.toUnsignedLong(code)).text(0);
    }

    private BridgeReply guard(final java.util.function.Supplier<BridgeReply> call) {
        BridgeReply reply;
        try {
            reply = call.get();
        } catch (final Win32BridgeException ex) {
            if (bridge.isAlive()) {
                throw ex;
            }
            reply = BridgeReply.failed(0, ERROR_INVALID_HANDLE_VALUE);
        }
        lastError.get()[0] = reply.lastError();
        return reply;
    }

    private static Result result(final BridgeReply reply) {
        return new Result(reply.value(), reply.lastError());
    }

    private static int error(final BridgeReply reply) {
        return reply.ok() ? 0 : Math.max(1, reply.lastError());
    }
}
