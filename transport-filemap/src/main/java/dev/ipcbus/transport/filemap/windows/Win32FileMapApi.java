package dev.ipcbus.transport.filemap.windows;

import java.nio.ByteBuffer;

/**
 * The narrow interface through which the filemap transport makes every Win32 call. Function, parameter and constant
 * names are Win32's. Handles are passed as their numeric value ({@code long}) so that an implementation needs no JNA
 * type: the production one is {@link JnaWin32FileMapApi}; tests use a fake; a later bridge can forward to Wine.
 * <p>
 * Methods do not throw on failure: they return what the call returned together with {@code GetLastError()} read
 * immediately after it, and {@link Win32FileMapCalls} turns failures into exceptions.
 * <p>
 * <b>Thread safety:</b> implementations are safe for concurrent use.
 */
public interface Win32FileMapApi {
    /** {@code ERROR_FILE_NOT_FOUND}: no object of that name. */
    int ERROR_FILE_NOT_FOUND = 2;
    /** {@code ERROR_INVALID_HANDLE}: the name is used by an object of another type. */
    int ERROR_INVALID_HANDLE = 6;
    /** {@code ERROR_ALREADY_EXISTS}: a create call opened an existing object instead. */
    int ERROR_ALREADY_EXISTS = 183;
    /** {@code PAGE_READWRITE} page protection. */
    int PAGE_READWRITE = 0x04;
    /** {@code FILE_MAP_WRITE} view access (includes read). */
    int FILE_MAP_WRITE = 0x0002;
    /** {@code FILE_MAP_READ} view access. */
    int FILE_MAP_READ = 0x0004;
    /** {@code FILE_MAP_ALL_ACCESS}. */
    int FILE_MAP_ALL_ACCESS = 0x000F001F;
    /** {@code EVENT_MODIFY_STATE}: needed for {@code SetEvent}. */
    int EVENT_MODIFY_STATE = 0x0002;
    /** {@code SYNCHRONIZE}: needed for waiting. */
    int SYNCHRONIZE = 0x00100000;
    /** {@code WAIT_OBJECT_0}. */
    int WAIT_OBJECT_0 = 0;
    /** {@code WAIT_TIMEOUT}. */
    int WAIT_TIMEOUT = 0x102;
    /** {@code WAIT_FAILED}. */
    int WAIT_FAILED = 0xFFFFFFFF;

    /**
     * A returned handle (0 for {@code NULL}) or view address, and the {@code GetLastError()} read right after.
     */
    final class Result {
        /** The handle or address; 0 on failure. */
        public final long value;
        /** {@code GetLastError()} right after the call (meaningful on failure and for {@code ERROR_ALREADY_EXISTS}). */
        public final int lastError;

        /**
         * @param value     the handle or address.
         * @param lastError the last error.
         */
        public Result(final long value, final int lastError) {
            this.value = value;
            this.lastError = lastError;
        }
    }

    /**
     * @return the string SID of the current process's user ({@code OpenProcessToken}, {@code GetTokenInformation},
     * {@code ConvertSidToStringSid}), e.g. {@code S-1-5-21-…}.
     */
    String currentUserSid();

    /**
     * {@code CreateFileMapping(INVALID_HANDLE_VALUE, sa, flProtect, high, low, lpName)}: pagefile-backed memory.
     *
     * @param securityDescriptor an SDDL string for the security attributes.
     * @param flProtect          page protection.
     * @param maximumSize        the size in bytes.
     * @param lpName             the object name.
     * @return the handle (0 on failure); {@code ERROR_ALREADY_EXISTS} with a handle means an existing object.
     */
    Result CreateFileMapping(String securityDescriptor, int flProtect, long maximumSize, String lpName);

    /**
     * {@code OpenFileMapping(dwDesiredAccess, FALSE, lpName)}.
     *
     * @param dwDesiredAccess access.
     * @param lpName          the object name.
     * @return the handle, 0 on failure ({@code ERROR_FILE_NOT_FOUND} if missing).
     */
    Result OpenFileMapping(int dwDesiredAccess, String lpName);

    /**
     * {@code MapViewOfFile(hFileMappingObject, dwDesiredAccess, 0, 0, dwNumberOfBytesToMap)}.
     *
     * @param hFileMappingObject   the mapping handle.
     * @param dwDesiredAccess      access.
     * @param dwNumberOfBytesToMap the view length.
     * @return the view's base address, 0 on failure.
     */
    Result MapViewOfFile(long hFileMappingObject, int dwDesiredAccess, int dwNumberOfBytesToMap);

    /**
     * Wraps a mapped view as a direct buffer without copying (JNA {@code Pointer.getByteBuffer(0, length)}).
     *
     * @param address the view's base address.
     * @param length  the view length.
     * @return a direct buffer over the view; it does not own the view.
     */
    ByteBuffer wrapView(long address, int length);

    /**
     * {@code UnmapViewOfFile(lpBaseAddress)}.
     *
     * @param lpBaseAddress the view's base address.
     * @return 0 on success, else {@code GetLastError()}.
     */
    int UnmapViewOfFile(long lpBaseAddress);

    /**
     * {@code CreateEvent(sa, bManualReset, bInitialState, lpName)}.
     *
     * @param securityDescriptor an SDDL string for the security attributes.
     * @param bManualReset       {@code false} for an auto-reset event.
     * @param bInitialState      initial state.
     * @param lpName             the object name.
     * @return the handle (0 on failure); {@code ERROR_ALREADY_EXISTS} with a handle means an existing object.
     */
    Result CreateEvent(String securityDescriptor, boolean bManualReset, boolean bInitialState, String lpName);

    /**
     * {@code OpenEvent(dwDesiredAccess, FALSE, lpName)}.
     *
     * @param dwDesiredAccess access.
     * @param lpName          the object name.
     * @return the handle, 0 on failure.
     */
    Result OpenEvent(int dwDesiredAccess, String lpName);

    /**
     * {@code SetEvent(hEvent)}.
     *
     * @param hEvent the event.
     * @return 0 on success, else {@code GetLastError()}.
     */
    int SetEvent(long hEvent);

    /**
     * {@code WaitForSingleObject(hHandle, dwMilliseconds)}.
     *
     * @param hHandle        the object.
     * @param dwMilliseconds timeout.
     * @return {@link #WAIT_OBJECT_0}, {@link #WAIT_TIMEOUT} or {@link #WAIT_FAILED}.
     */
    int WaitForSingleObject(long hHandle, int dwMilliseconds);

    /**
     * {@code CloseHandle(hObject)}.
     *
     * @param hObject the handle.
     * @return 0 on success, else {@code GetLastError()}.
     */
    int CloseHandle(long hObject);

    /**
     * @return {@code GetLastError()} of the calling thread's most recent failed call made through this API (used by
     * {@link #WaitForSingleObject} on {@link #WAIT_FAILED}).
     */
    int lastError();

    /**
     * @param code a Win32 error code.
     * @return its system message ({@code FormatMessage}), or a fallback text.
     */
    String FormatMessage(int code);
}
