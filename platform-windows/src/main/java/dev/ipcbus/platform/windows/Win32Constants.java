// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

/**
 * The Win32 constants (other than error codes, in {@link WinError}) the binding and the transports use, each declared
 * once, with its Win32 name and value (winbase.h, winnt.h, fileapi.h, sddl.h).
 * <p>
 * <b>Thread safety:</b> constants only.
 */
public final class Win32Constants {
    /** {@code INVALID_HANDLE_VALUE}, as a handle value. */
    public static final long INVALID_HANDLE_VALUE = -1;
    /** {@code INFINITE}: wait without time-out. */
    public static final int INFINITE = 0xFFFFFFFF;

    /** Access right: read. */
    public static final int GENERIC_READ = 0x80000000;
    /** Access right: write. */
    public static final int GENERIC_WRITE = 0x40000000;
    /** Share mode: others may read. */
    public static final int FILE_SHARE_READ = 0x00000001;
    /** Share mode: others may write. */
    public static final int FILE_SHARE_WRITE = 0x00000002;
    /** {@code dwCreationDisposition}: open an existing object only. */
    public static final int OPEN_EXISTING = 3;
    /** {@code dwFlagsAndAttributes}: no attribute in particular. */
    public static final int FILE_ATTRIBUTE_NORMAL = 0x00000080;
    /** {@code dwFlagsAndAttributes}/{@code dwOpenMode}: overlapped I/O on the handle. */
    public static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    /** {@code dwFlagsAndAttributes}: the {@code SECURITY_*} impersonation level bits are present. */
    public static final int SECURITY_SQOS_PRESENT = 0x00100000;
    /** {@code dwFlagsAndAttributes}: the server may identify, not impersonate, the client. */
    public static final int SECURITY_IDENTIFICATION = 0x00010000;

    /** {@code dwOpenMode}: the pipe is bidirectional. */
    public static final int PIPE_ACCESS_DUPLEX = 0x00000003;
    /** {@code dwOpenMode}: fail if an instance of the name exists already ({@code ERROR_ACCESS_DENIED}). */
    public static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    /** {@code dwPipeMode}: data is written as messages. */
    public static final int PIPE_TYPE_MESSAGE = 0x00000004;
    /** {@code dwPipeMode}/{@code lpMode}: data is read as messages. */
    public static final int PIPE_READMODE_MESSAGE = 0x00000002;
    /** {@code dwPipeMode}: blocking mode. */
    public static final int PIPE_WAIT = 0x00000000;
    /** {@code dwPipeMode}: refuse clients on other machines. */
    public static final int PIPE_REJECT_REMOTE_CLIENTS = 0x00000008;
    /** {@code nMaxInstances}: as many instances as resources allow. */
    public static final int PIPE_UNLIMITED_INSTANCES = 255;

    /** {@code GetMailslotInfo}'s {@code lpNextSize} when no message is waiting. */
    public static final int MAILSLOT_NO_MESSAGE = -1;
    /** {@code lReadTimeout}: wait forever. */
    public static final int MAILSLOT_WAIT_FOREVER = -1;

    /** {@code flProtect}: read-write pages. */
    public static final int PAGE_READWRITE = 0x04;
    /** View access: write (includes read). */
    public static final int FILE_MAP_WRITE = 0x0002;
    /** View access: read. */
    public static final int FILE_MAP_READ = 0x0004;
    /** View access: all. */
    public static final int FILE_MAP_ALL_ACCESS = 0x000F001F;
    /** Event access: {@code SetEvent}/{@code ResetEvent}. */
    public static final int EVENT_MODIFY_STATE = 0x0002;
    /** Access: wait on the object. */
    public static final int SYNCHRONIZE = 0x00100000;

    /** {@code WaitForSingleObject}: the object is signaled. */
    public static final int WAIT_OBJECT_0 = 0;
    /** {@code WaitForSingleObject}: the owner of a mutex died. */
    public static final int WAIT_ABANDONED = 0x00000080;
    /** {@code WaitForSingleObject}: the time-out elapsed. */
    public static final int WAIT_TIMEOUT = 0x00000102;
    /** {@code WaitForSingleObject}: failed; see {@code GetLastError}. */
    public static final int WAIT_FAILED = 0xFFFFFFFF;

    /** {@code OpenProcessToken} access: query the token. */
    public static final int TOKEN_QUERY = 0x0008;
    /** {@code TOKEN_INFORMATION_CLASS}: the token's user ({@link TOKEN_USER}). */
    public static final int TokenUser = 1;
    /** {@code ConvertStringSecurityDescriptorToSecurityDescriptorW}: the SDDL revision. */
    public static final int SDDL_REVISION_1 = 1;
    /** {@code FormatMessageW}: look the code up in the system's table. */
    public static final int FORMAT_MESSAGE_FROM_SYSTEM = 0x00001000;
    /** {@code FormatMessageW}: leave {@code %n} inserts as they are. */
    public static final int FORMAT_MESSAGE_IGNORE_INSERTS = 0x00000200;

    private Win32Constants() {
    }
}
