package dev.ipcbus.transport.pipe.windows;

import java.nio.ByteBuffer;

/**
 * Every Win32 call the Windows pipe layer makes, and nothing else: the one narrow seam between the pipe logic and the
 * OS. Production uses {@link JnaWin32PipeApi}; tests drive the same {@link WindowsPipeInbox} and
 * {@link WindowsPipeConnection} code through an in-memory fake, and a later issue can bridge it to Wine's real
 * kernel objects.
 * <p>
 * Functions, parameters and constants keep their Win32 names. Handles are passed as their numeric value
 * ({@link #INVALID_HANDLE_VALUE} = -1). Buffers are direct {@link ByteBuffer}s: the call uses the bytes from the
 * buffer's position to its limit and leaves position and limit unchanged. An {@code OVERLAPPED} is an opaque value
 * from {@link #allocateOverlapped(long)}, valid until {@link #freeOverlapped(long)}; its native memory outlives the
 * I/O, as overlapped I/O requires. Only four methods are not Win32 functions, and say so: {@code allocateOverlapped},
 * {@code freeOverlapped}, {@code currentUserSid} and {@code formatMessage}.
 * <p>
 * Error protocol: a call that fails returns {@code false} or {@link #INVALID_HANDLE_VALUE} and the caller reads
 * {@link #GetLastError()} next, before any other call through this interface on the same thread.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the last error is per thread.
 */
public interface Win32PipeApi {
    /** The invalid handle value. */
    long INVALID_HANDLE_VALUE = -1;

    /** {@code dwOpenMode}: the pipe is bidirectional. */
    int PIPE_ACCESS_DUPLEX = 0x00000003;
    /** {@code dwOpenMode}: fail if an instance of the name exists already ({@code ERROR_ACCESS_DENIED}). */
    int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    /** {@code dwFlagsAndAttributes}/{@code dwOpenMode}: overlapped I/O on the handle. */
    int FILE_FLAG_OVERLAPPED = 0x40000000;
    /** {@code dwPipeMode}: data is written as messages. */
    int PIPE_TYPE_MESSAGE = 0x00000004;
    /** {@code dwPipeMode}/{@code lpMode}: data is read as messages. */
    int PIPE_READMODE_MESSAGE = 0x00000002;
    /** {@code dwPipeMode}: blocking mode. */
    int PIPE_WAIT = 0x00000000;
    /** {@code dwPipeMode}: refuse clients on other machines. */
    int PIPE_REJECT_REMOTE_CLIENTS = 0x00000008;
    /** {@code nMaxInstances}: as many instances as resources allow. */
    int PIPE_UNLIMITED_INSTANCES = 255;
    /** Access right: read. */
    int GENERIC_READ = 0x80000000;
    /** Access right: write. */
    int GENERIC_WRITE = 0x40000000;
    /** {@code dwCreationDisposition}: open an existing object only. */
    int OPEN_EXISTING = 3;
    /** {@code WaitForSingleObject}: the object is signaled. */
    int WAIT_OBJECT_0 = 0;
    /** {@code WaitForSingleObject}: the time-out elapsed. */
    int WAIT_TIMEOUT = 0x00000102;

    /** No such pipe name: no instance exists. */
    int ERROR_FILE_NOT_FOUND = 2;
    /** Access denied; from {@code CreateNamedPipe} with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}: the name is taken. */
    int ERROR_ACCESS_DENIED = 5;
    /** The pipe was ended by the other side (read). */
    int ERROR_BROKEN_PIPE = 109;
    /** {@code WaitNamedPipe} timed out. */
    int ERROR_SEM_TIMEOUT = 121;
    /** All pipe instances are busy. */
    int ERROR_PIPE_BUSY = 231;
    /** The pipe is being closed (write to a pipe whose reader closed). */
    int ERROR_NO_DATA = 232;
    /** No process is on the other end of the pipe. */
    int ERROR_PIPE_NOT_CONNECTED = 233;
    /** More data is available: the message is longer than the read buffer. */
    int ERROR_MORE_DATA = 234;
    /** A client connected between {@code CreateNamedPipe} and {@code ConnectNamedPipe}: success. */
    int ERROR_PIPE_CONNECTED = 535;
    /** The I/O was cancelled ({@code CancelIoEx}). */
    int ERROR_OPERATION_ABORTED = 995;
    /** Overlapped I/O is still in progress ({@code GetOverlappedResult} without waiting). */
    int ERROR_IO_INCOMPLETE = 996;
    /** Overlapped I/O started and will complete later. */
    int ERROR_IO_PENDING = 997;
    /** {@code CancelIoEx}: nothing to cancel. */
    int ERROR_NOT_FOUND = 1168;

    /**
     * {@code CreateNamedPipe}, with the security descriptor given in SDDL form (converted with
     * {@code ConvertStringSecurityDescriptorToSecurityDescriptor} and freed after the call).
     *
     * @param lpName                   {@code \\.\pipe\name}.
     * @param dwOpenMode               access and flags.
     * @param dwPipeMode               type, read and wait modes.
     * @param nMaxInstances            instance limit.
     * @param nOutBufferSize           output buffer size hint.
     * @param nInBufferSize            input buffer size hint.
     * @param nDefaultTimeOut          default {@code WaitNamedPipe} time-out, ms (0 = 50 ms).
     * @param lpSecurityDescriptorSddl the security descriptor, SDDL.
     * @return the handle, or {@link #INVALID_HANDLE_VALUE}.
     */
    long CreateNamedPipe(String lpName, int dwOpenMode, int dwPipeMode, int nMaxInstances, int nOutBufferSize,
        int nInBufferSize, int nDefaultTimeOut, String lpSecurityDescriptorSddl);

    /**
     * {@code ConnectNamedPipe} without {@code OVERLAPPED}: blocks until a client connects.
     *
     * @param hNamedPipe a server instance.
     * @return {@code true} on connection; {@code false} with {@link #ERROR_PIPE_CONNECTED} is also a connection.
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
     * {@code CreateFile} with no security attributes and no template.
     *
     * @param lpFileName            the pipe name.
     * @param dwDesiredAccess       access rights.
     * @param dwShareMode           sharing.
     * @param dwCreationDisposition {@link #OPEN_EXISTING}.
     * @param dwFlagsAndAttributes  flags, e.g. {@link #FILE_FLAG_OVERLAPPED}.
     * @return the handle, or {@link #INVALID_HANDLE_VALUE}.
     */
    long CreateFile(String lpFileName, int dwDesiredAccess, int dwShareMode, int dwCreationDisposition,
        int dwFlagsAndAttributes);

    /**
     * {@code WaitNamedPipe}.
     *
     * @param lpNamedPipeName the pipe name.
     * @param nTimeOut        ms.
     * @return {@code true} when an instance is available.
     */
    boolean WaitNamedPipe(String lpNamedPipeName, int nTimeOut);

    /**
     * {@code SetNamedPipeHandleState} setting the mode only.
     *
     * @param hNamedPipe the handle.
     * @param lpMode     the new mode, e.g. {@link #PIPE_READMODE_MESSAGE}.
     * @return success.
     */
    boolean SetNamedPipeHandleState(long hNamedPipe, int lpMode);

    /**
     * {@code ReadFile} without {@code OVERLAPPED} (blocking) into {@code lpBuffer}'s remaining space.
     *
     * @param hFile                the handle.
     * @param lpBuffer             a direct buffer.
     * @param lpNumberOfBytesRead  receives the byte count at index 0.
     * @return success; {@code false} with {@link #ERROR_MORE_DATA} means a partial message was read.
     */
    boolean ReadFile(long hFile, ByteBuffer lpBuffer, int[] lpNumberOfBytesRead);

    /**
     * {@code PeekNamedPipe} without reading data.
     *
     * @param hNamedPipe             the handle.
     * @param lpTotalBytesAvail      receives the bytes available at index 0.
     * @param lpBytesLeftThisMessage receives the bytes left in the current message at index 0.
     * @return success.
     */
    boolean PeekNamedPipe(long hNamedPipe, int[] lpTotalBytesAvail, int[] lpBytesLeftThisMessage);

    /**
     * {@code WriteFile} with {@code OVERLAPPED} from {@code lpBuffer}'s remaining bytes; the buffer must stay
     * untouched until the I/O completes.
     *
     * @param hFile        a handle opened with {@link #FILE_FLAG_OVERLAPPED}.
     * @param lpBuffer     a direct buffer.
     * @param lpOverlapped from {@link #allocateOverlapped(long)}.
     * @return {@code true} if it completed at once; {@code false} with {@link #ERROR_IO_PENDING} if it will later.
     */
    boolean WriteFile(long hFile, ByteBuffer lpBuffer, long lpOverlapped);

    /**
     * {@code GetOverlappedResult}.
     *
     * @param hFile                      the handle.
     * @param lpOverlapped               the I/O's {@code OVERLAPPED}.
     * @param lpNumberOfBytesTransferred receives the count at index 0.
     * @param bWait                      wait for completion.
     * @return success of the I/O; {@code false} with {@link #ERROR_IO_INCOMPLETE} if still running.
     */
    boolean GetOverlappedResult(long hFile, long lpOverlapped, int[] lpNumberOfBytesTransferred, boolean bWait);

    /**
     * {@code CancelIoEx}: cancels I/O on {@code hFile} issued by any thread of this process.
     *
     * @param hFile        the handle.
     * @param lpOverlapped one I/O, or 0 for all.
     * @return {@code true} if something was cancelled; {@code false} with {@link #ERROR_NOT_FOUND} if nothing was.
     */
    boolean CancelIoEx(long hFile, long lpOverlapped);

    /**
     * {@code CreateEvent}, unnamed, default security.
     *
     * @param bManualReset  manual-reset event.
     * @param bInitialState initially signaled.
     * @return the handle, or 0 on failure.
     */
    long CreateEvent(boolean bManualReset, boolean bInitialState);

    /**
     * {@code WaitForSingleObject}.
     *
     * @param hHandle        the object.
     * @param dwMilliseconds the time-out.
     * @return {@link #WAIT_OBJECT_0}, {@link #WAIT_TIMEOUT} or another {@code WAIT_*} value.
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
     * {@code GetLastError}: the error of this thread's previous call through this interface.
     *
     * @return the error code.
     */
    int GetLastError();

    /**
     * Not a Win32 function: allocates a zeroed native {@code OVERLAPPED} whose {@code hEvent} is {@code hEvent}.
     *
     * @param hEvent a manual-reset event.
     * @return the opaque value passed as {@code lpOverlapped}.
     */
    long allocateOverlapped(long hEvent);

    /**
     * Not a Win32 function: frees what {@link #allocateOverlapped(long)} returned, once no I/O uses it.
     *
     * @param lpOverlapped the value.
     */
    void freeOverlapped(long lpOverlapped);

    /**
     * Not a Win32 function: the string SID of the user this process runs as ({@code OpenProcessToken},
     * {@code GetTokenInformation(TokenUser)}, {@code ConvertSidToStringSid}).
     *
     * @return e.g. {@code S-1-5-21-...-1001}.
     */
    String currentUserSid();

    /**
     * Not a Win32 function: the system's text for an error code ({@code FormatMessage}).
     *
     * @param code the error code.
     * @return the text.
     */
    String formatMessage(int code);
}
