// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

/**
 * The Win32 error codes (winerror.h) the transports branch on, each declared once. Values and meanings are the
 * <a href="https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-">system error codes</a>'.
 * <p>
 * <b>Thread safety:</b> constants only.
 */
public final class WinError {
    /** No error. */
    public static final int ERROR_SUCCESS = 0;
    /** No object by that name (a pipe with no instance, a missing mailslot or mapping). */
    public static final int ERROR_FILE_NOT_FOUND = 2;
    /** Access denied; from {@code CreateNamedPipeW} with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}: the name is taken. */
    public static final int ERROR_ACCESS_DENIED = 5;
    /** Invalid handle; from a create call: the name is used by an object of another type. */
    public static final int ERROR_INVALID_HANDLE = 6;
    /** Not enough memory (one of the codes a full mailslot has been reported to return). */
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    /** Sharing violation (a second mailslot writer opened without {@code FILE_SHARE_WRITE}). */
    public static final int ERROR_SHARING_VIOLATION = 32;
    /** The pipe was ended by the other side (read); Wine reports a zero-length mailslot message this way. */
    public static final int ERROR_BROKEN_PIPE = 109;
    /** A wait timed out ({@code WaitNamedPipeW}, a mailslot read). */
    public static final int ERROR_SEM_TIMEOUT = 121;
    /** The buffer is too small (a mailslot message, {@code GetTokenInformation}'s first call). */
    public static final int ERROR_INSUFFICIENT_BUFFER = 122;
    /** A create call opened an existing object, or the mailslot name is taken. */
    public static final int ERROR_ALREADY_EXISTS = 183;
    /** All pipe instances are busy. */
    public static final int ERROR_PIPE_BUSY = 231;
    /** The pipe is being closed (write to a pipe whose reader closed). */
    public static final int ERROR_NO_DATA = 232;
    /** No process is on the other end of the pipe. */
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    /** More data is available: the message is longer than the read buffer. */
    public static final int ERROR_MORE_DATA = 234;
    /** A client connected between {@code CreateNamedPipeW} and {@code ConnectNamedPipe}: success. */
    public static final int ERROR_PIPE_CONNECTED = 535;
    /** The I/O was cancelled ({@code CancelIoEx}). */
    public static final int ERROR_OPERATION_ABORTED = 995;
    /** Overlapped I/O is still in progress ({@code GetOverlappedResult} without waiting). */
    public static final int ERROR_IO_INCOMPLETE = 996;
    /** Overlapped I/O started and will complete later. */
    public static final int ERROR_IO_PENDING = 997;
    /** {@code CancelIoEx}: nothing to cancel. */
    public static final int ERROR_NOT_FOUND = 1168;
    /** The SDDL string is not valid ({@code ConvertStringSecurityDescriptorToSecurityDescriptorW}). */
    public static final int ERROR_INVALID_PARAMETER = 87;
    /** No mapping between account names and security IDs ({@code LookupAccountSidW}; never called here). */
    public static final int ERROR_NONE_MAPPED = 1332;
    /** Insufficient system resources (one of the codes a full mailslot has been reported to return). */
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    /** Not enough quota (one of the codes a full mailslot has been reported to return). */
    public static final int ERROR_NOT_ENOUGH_QUOTA = 1816;

    private WinError() {
    }
}
