// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import java.nio.ByteBuffer;

/**
 * Every Win32 call the transports' Windows layers make, and nothing else: the one seam between transport logic and
 * the OS. Production uses {@link JnaWin32}; unit tests use the in-memory {@code FakeWin32} of this module's test-jar;
 * the Wine test bed drives the layers against Wine's real kernel objects.
 * <p>
 * <b>Names:</b> each method is named after the export it calls, {@code W} suffix included ({@code CreateNamedPipeW},
 * {@code CreateFileW}), with the Win32 parameter names and order. The Java types are simplified, the same way
 * everywhere: a {@code HANDLE} or address is a {@code long} ({@code NULL} = 0,
 * {@link Win32Constants#INVALID_HANDLE_VALUE} = -1); {@code LPCWSTR} is a {@link String}; an out {@code LPDWORD} (or
 * handle) is an {@code int[]} ({@code long[]}) whose element 0 receives the value, or {@code null} where Win32 takes
 * {@code NULL}; a data buffer is a direct {@link ByteBuffer} whose bytes from its position are used (position and
 * limit are left unchanged); security attributes are a {@link SECURITY_ATTRIBUTES} (from
 * {@link CurrentUserSecurity#attributes()}) or {@code null}. Three methods are not Win32 functions and say so:
 * {@link #allocateOverlapped}, {@link #freeOverlapped} and {@link #wrapView}.
 * <p>
 * <b>Error convention:</b> each method returns what the Win32 function returns ({@code false}, 0 or
 * {@code INVALID_HANDLE_VALUE} on failure, as that function documents), and {@link #GetLastError()} on the same
 * interface then returns the calling thread's error of that call (saved right after the native call, before anything
 * else can overwrite it). Nothing here throws for a Win32 failure; {@link Win32Exception#check} and its siblings turn
 * a failure into an exception where the caller wants one.
 * <p>
 * <b>Buffers:</b> a buffer handed to {@code ReadFile}/{@code WriteFile} is kept reachable for the call; for
 * overlapped I/O the caller keeps it (and the {@code OVERLAPPED}) reachable and untouched until the I/O completes.
 * <p>
 * <b>Thread safety:</b> implementations are safe for concurrent use; the last error is per thread.
 */
public interface Win32 {
    /**
     * {@code CreateNamedPipeW}.
     *
     * @param lpName               {@code \\.\pipe\name}.
     * @param dwOpenMode           access and flags.
     * @param dwPipeMode           type, read and wait modes.
     * @param nMaxInstances        instance limit.
     * @param nOutBufferSize       output buffer size hint.
     * @param nInBufferSize        input buffer size hint.
     * @param nDefaultTimeOut      default {@code WaitNamedPipeW} time-out, ms.
     * @param lpSecurityAttributes the security descriptor.
     * @return the handle, or {@link Win32Constants#INVALID_HANDLE_VALUE}.
     */
    long CreateNamedPipeW(String lpName, int dwOpenMode, int dwPipeMode, int nMaxInstances, int nOutBufferSize,
        int nInBufferSize, int nDefaultTimeOut, SECURITY_ATTRIBUTES lpSecurityAttributes);

    /**
     * {@code ConnectNamedPipe} without {@code OVERLAPPED}: blocks until a client connects.
     *
     * @param hNamedPipe a server instance.
     * @return success; {@code false} with {@link WinError#ERROR_PIPE_CONNECTED} is also a connection.
     */
    boolean ConnectNamedPipe(long hNamedPipe);

    /**
     * {@code DisconnectNamedPipe}.
     *
     * @param hNamedPipe a server instance.
     * @return success.
     */
    boolean DisconnectNamedPipe(long hNamedPipe);

    /**
     * {@code WaitNamedPipeW}.
     *
     * @param lpNamedPipeName the pipe name.
     * @param nTimeOut        ms.
     * @return {@code true} when an instance is available.
     */
    boolean WaitNamedPipeW(String lpNamedPipeName, int nTimeOut);

    /**
     * {@code SetNamedPipeHandleState} setting the mode only ({@code lpMaxCollectionCount} and
     * {@code lpCollectDataTimeout} are {@code NULL}).
     *
     * @param hNamedPipe the handle.
     * @param lpMode     the new mode, e.g. {@link Win32Constants#PIPE_READMODE_MESSAGE}.
     * @return success.
     */
    boolean SetNamedPipeHandleState(long hNamedPipe, int lpMode);

    /**
     * {@code PeekNamedPipe} without copying data ({@code lpBuffer} {@code NULL}).
     *
     * @param hNamedPipe             the handle.
     * @param lpTotalBytesAvail      receives the bytes available.
     * @param lpBytesLeftThisMessage receives the bytes left in the current message.
     * @return success.
     */
    boolean PeekNamedPipe(long hNamedPipe, int[] lpTotalBytesAvail, int[] lpBytesLeftThisMessage);

    /**
     * {@code CreateFileW} with no template.
     *
     * @param lpFileName            the name.
     * @param dwDesiredAccess       access rights.
     * @param dwShareMode           sharing.
     * @param lpSecurityAttributes  {@code null} when opening an existing object.
     * @param dwCreationDisposition e.g. {@link Win32Constants#OPEN_EXISTING}.
     * @param dwFlagsAndAttributes  flags and attributes.
     * @return the handle, or {@link Win32Constants#INVALID_HANDLE_VALUE}.
     */
    long CreateFileW(String lpFileName, int dwDesiredAccess, int dwShareMode, SECURITY_ATTRIBUTES lpSecurityAttributes,
        int dwCreationDisposition, int dwFlagsAndAttributes);

    /**
     * {@code ReadFile}, synchronous ({@code lpOverlapped} {@code NULL}), into {@code lpBuffer} from its position.
     *
     * @param hFile                the handle.
     * @param lpBuffer             a direct buffer with at least {@code nNumberOfBytesToRead} bytes remaining.
     * @param nNumberOfBytesToRead the bytes offered.
     * @param lpNumberOfBytesRead  receives the bytes read.
     * @return success; {@code false} with {@link WinError#ERROR_MORE_DATA} means a partial pipe message was read.
     */
    boolean ReadFile(long hFile, ByteBuffer lpBuffer, int nNumberOfBytesToRead, int[] lpNumberOfBytesRead);

    /**
     * {@code WriteFile} from {@code lpBuffer}'s position: synchronous if {@code lpOverlapped} is 0, else overlapped
     * (then the buffer and the {@code OVERLAPPED} must stay reachable and untouched until the I/O completes).
     *
     * @param hFile                  the handle.
     * @param lpBuffer               a direct buffer with at least {@code nNumberOfBytesToWrite} bytes remaining.
     * @param nNumberOfBytesToWrite  the count.
     * @param lpNumberOfBytesWritten receives the bytes written; {@code null} for overlapped I/O.
     * @param lpOverlapped           from {@link #allocateOverlapped}, or 0.
     * @return {@code true} if completed; {@code false} with {@link WinError#ERROR_IO_PENDING} if it completes later.
     */
    boolean WriteFile(long hFile, ByteBuffer lpBuffer, int nNumberOfBytesToWrite, int[] lpNumberOfBytesWritten,
        long lpOverlapped);

    /**
     * {@code GetOverlappedResult}.
     *
     * @param hFile                      the handle.
     * @param lpOverlapped               the I/O's {@code OVERLAPPED}.
     * @param lpNumberOfBytesTransferred receives the count.
     * @param bWait                      wait for completion.
     * @return success of the I/O; {@code false} with {@link WinError#ERROR_IO_INCOMPLETE} if still running.
     */
    boolean GetOverlappedResult(long hFile, long lpOverlapped, int[] lpNumberOfBytesTransferred, boolean bWait);

    /**
     * {@code CancelIoEx}.
     *
     * @param hFile        the handle.
     * @param lpOverlapped one I/O, or 0 for all I/O of this process on the handle.
     * @return {@code true} if something was cancelled; {@code false} with {@link WinError#ERROR_NOT_FOUND} if not.
     */
    boolean CancelIoEx(long hFile, long lpOverlapped);

    /**
     * {@code CreateEventW}.
     *
     * @param lpEventAttributes the security descriptor, or {@code null} for an unnamed private event.
     * @param bManualReset      manual-reset event.
     * @param bInitialState     initially signaled.
     * @param lpName            the name, or {@code null}.
     * @return the handle, or 0; {@link WinError#ERROR_ALREADY_EXISTS} with a handle means an existing event.
     */
    long CreateEventW(SECURITY_ATTRIBUTES lpEventAttributes, boolean bManualReset, boolean bInitialState,
        String lpName);

    /**
     * {@code OpenEventW}.
     *
     * @param dwDesiredAccess access.
     * @param bInheritHandle  {@code false}.
     * @param lpName          the name.
     * @return the handle, or 0.
     */
    long OpenEventW(int dwDesiredAccess, boolean bInheritHandle, String lpName);

    /**
     * {@code SetEvent}.
     *
     * @param hEvent the event.
     * @return success.
     */
    boolean SetEvent(long hEvent);

    /**
     * {@code WaitForSingleObject}.
     *
     * @param hHandle        the object.
     * @param dwMilliseconds the time-out.
     * @return {@link Win32Constants#WAIT_OBJECT_0}, {@link Win32Constants#WAIT_TIMEOUT} or another {@code WAIT_*}.
     */
    int WaitForSingleObject(long hHandle, int dwMilliseconds);

    /**
     * {@code CloseHandle}.
     *
     * @param hObject the handle.
     * @return success.
     */
    boolean CloseHandle(long hObject);

    /**
     * {@code CreateFileMappingW} with {@code hFile} = {@code INVALID_HANDLE_VALUE}: pagefile-backed memory.
     *
     * @param lpFileMappingAttributes the security descriptor.
     * @param flProtect               page protection.
     * @param dwMaximumSizeHigh       size, high 32 bits.
     * @param dwMaximumSizeLow        size, low 32 bits.
     * @param lpName                  the name.
     * @return the handle, or 0; {@link WinError#ERROR_ALREADY_EXISTS} with a handle means an existing mapping.
     */
    long CreateFileMappingW(SECURITY_ATTRIBUTES lpFileMappingAttributes, int flProtect, int dwMaximumSizeHigh,
        int dwMaximumSizeLow, String lpName);

    /**
     * {@code OpenFileMappingW}.
     *
     * @param dwDesiredAccess access.
     * @param bInheritHandle  {@code false}.
     * @param lpName          the name.
     * @return the handle, or 0 ({@link WinError#ERROR_FILE_NOT_FOUND} if missing).
     */
    long OpenFileMappingW(int dwDesiredAccess, boolean bInheritHandle, String lpName);

    /**
     * {@code MapViewOfFile}.
     *
     * @param hFileMappingObject   the mapping.
     * @param dwDesiredAccess      access.
     * @param dwFileOffsetHigh     offset, high 32 bits.
     * @param dwFileOffsetLow      offset, low 32 bits.
     * @param dwNumberOfBytesToMap the view length ({@code SIZE_T}).
     * @return the view's base address, or 0.
     */
    long MapViewOfFile(long hFileMappingObject, int dwDesiredAccess, int dwFileOffsetHigh, int dwFileOffsetLow,
        long dwNumberOfBytesToMap);

    /**
     * {@code UnmapViewOfFile}.
     *
     * @param lpBaseAddress the view's base address.
     * @return success.
     */
    boolean UnmapViewOfFile(long lpBaseAddress);

    /**
     * {@code CreateMailslotW}.
     *
     * @param lpName               {@code \\.\mailslot\name}.
     * @param nMaxMessageSize      the largest message, 0 for any.
     * @param lReadTimeout         read time-out, ms, or {@link Win32Constants#MAILSLOT_WAIT_FOREVER}.
     * @param lpSecurityAttributes the security descriptor.
     * @return the server handle, or {@link Win32Constants#INVALID_HANDLE_VALUE}.
     */
    long CreateMailslotW(String lpName, int nMaxMessageSize, int lReadTimeout,
        SECURITY_ATTRIBUTES lpSecurityAttributes);

    /**
     * {@code GetMailslotInfo}.
     *
     * @param hMailslot        the server handle.
     * @param lpMaxMessageSize receives the largest message size, or {@code null}.
     * @param lpNextSize       receives the next message's size or {@link Win32Constants#MAILSLOT_NO_MESSAGE}, or
     *                         {@code null}.
     * @param lpMessageCount   receives the messages waiting, or {@code null}.
     * @param lpReadTimeout    receives the read time-out, or {@code null}.
     * @return success.
     */
    boolean GetMailslotInfo(long hMailslot, int[] lpMaxMessageSize, int[] lpNextSize, int[] lpMessageCount,
        int[] lpReadTimeout);

    /**
     * {@code SetMailslotInfo}.
     *
     * @param hMailslot    the server handle.
     * @param lReadTimeout the new read time-out, ms.
     * @return success.
     */
    boolean SetMailslotInfo(long hMailslot, int lReadTimeout);

    /**
     * {@code GetCurrentProcess}.
     *
     * @return this process's pseudo-handle.
     */
    long GetCurrentProcess();

    /**
     * {@code OpenProcessToken}.
     *
     * @param ProcessHandle a process handle.
     * @param DesiredAccess e.g. {@link Win32Constants#TOKEN_QUERY}.
     * @param TokenHandle   receives the token; close it with {@link #CloseHandle}.
     * @return success.
     */
    boolean OpenProcessToken(long ProcessHandle, int DesiredAccess, long[] TokenHandle);

    /**
     * {@code GetTokenInformation} into a direct buffer from its position.
     *
     * @param TokenHandle            the token.
     * @param TokenInformationClass  e.g. {@link Win32Constants#TokenUser}.
     * @param TokenInformation       a direct buffer with at least {@code TokenInformationLength} bytes remaining, or
     *                               {@code null} with length 0 to ask for the size.
     * @param TokenInformationLength the bytes offered.
     * @param ReturnLength           receives the size written or needed.
     * @return success; {@code false} with {@link WinError#ERROR_INSUFFICIENT_BUFFER} and the size needed.
     */
    boolean GetTokenInformation(long TokenHandle, int TokenInformationClass, ByteBuffer TokenInformation,
        int TokenInformationLength, int[] ReturnLength);

    /**
     * {@code ConvertSidToStringSidW}; the string Win32 allocates is copied and freed ({@code LocalFree}) here.
     *
     * @param Sid       the SID's address.
     * @param StringSid receives the string SID, e.g. {@code S-1-5-21-...-1001}.
     * @return success.
     */
    boolean ConvertSidToStringSidW(long Sid, String[] StringSid);

    /**
     * {@code ConvertStringSecurityDescriptorToSecurityDescriptorW}.
     *
     * @param StringSecurityDescriptor the SDDL.
     * @param StringSDRevision         {@link Win32Constants#SDDL_REVISION_1}.
     * @param SecurityDescriptor       receives the descriptor's address; free it with {@link #LocalFree}.
     * @param SecurityDescriptorSize   receives its size, or {@code null}.
     * @return success.
     */
    boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(String StringSecurityDescriptor, int StringSDRevision,
        long[] SecurityDescriptor, int[] SecurityDescriptorSize);

    /**
     * {@code LocalFree}.
     *
     * @param hMem memory Win32 allocated for a result.
     * @return 0 on success, else {@code hMem}.
     */
    long LocalFree(long hMem);

    /**
     * {@code FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, dwMessageId, 0, ...)}.
     *
     * @param dwMessageId the error code.
     * @param lpBuffer    receives the text.
     * @return the characters written, 0 on failure.
     */
    int FormatMessageW(int dwMessageId, StringBuilder lpBuffer);

    /**
     * {@code GetLastError}: the calling thread's error of its previous call through this interface.
     *
     * @return the error code.
     */
    int GetLastError();

    /**
     * Not a Win32 function: allocates a zeroed {@code OVERLAPPED} whose {@code hEvent} is {@code hEvent}, in memory
     * that stays put until {@link #freeOverlapped}.
     *
     * @param hEvent a manual-reset event.
     * @return the value passed as {@code lpOverlapped}.
     */
    long allocateOverlapped(long hEvent);

    /**
     * Not a Win32 function: frees what {@link #allocateOverlapped} returned, once no I/O uses it.
     *
     * @param lpOverlapped the value.
     */
    void freeOverlapped(long lpOverlapped);

    /**
     * Not a Win32 function: the bytes of a view from {@link #MapViewOfFile}, as a direct buffer that does not own
     * them (JNA's {@code Pointer.getByteBuffer}).
     *
     * @param lpBaseAddress the view's base address.
     * @param length        the view's length.
     * @return the buffer, in native byte order.
     */
    ByteBuffer wrapView(long lpBaseAddress, int length);
}
