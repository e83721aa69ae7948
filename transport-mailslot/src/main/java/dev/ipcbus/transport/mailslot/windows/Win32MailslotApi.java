package dev.ipcbus.transport.mailslot.windows;

import java.nio.ByteBuffer;

/**
 * Every Win32 call the mailslot transport makes, and nothing else: the one seam between the Windows layer and the OS.
 * The production implementation is JNA ({@link #jna()}); tests drive the layer through a fake, and a later bridge can
 * drive it against Wine's kernel objects.
 * <p>
 * Function, parameter and constant names are Win32's. Handles are the {@code HANDLE} value as a {@code long}.
 * Each method throws {@link dev.ipcbus.NativeCallException} carrying {@code GetLastError()} (read right after the
 * call) when the call fails; callers act on {@link dev.ipcbus.NativeCallException#code()}.
 * <p>
 * <b>Thread safety:</b> implementations are safe for concurrent use.
 */
public interface Win32MailslotApi {
    /** The system cannot find the file specified: no mailslot by that name. */
    int ERROR_FILE_NOT_FOUND = 2;
    /** Not enough memory resources are available to process this command. */
    int ERROR_NOT_ENOUGH_MEMORY = 8;
    /** The process cannot access the file because it is being used by another process. */
    int ERROR_SHARING_VIOLATION = 32;
    /** The pipe has been ended (Wine reports a zero-length mailslot message this way). */
    int ERROR_BROKEN_PIPE = 109;
    /** The semaphore timeout period has expired: a mailslot read timed out. */
    int ERROR_SEM_TIMEOUT = 121;
    /** The data area passed to a system call is too small: the next message is larger than the read buffer. */
    int ERROR_INSUFFICIENT_BUFFER = 122;
    /** Cannot create a file when that file already exists: the mailslot name is taken. */
    int ERROR_ALREADY_EXISTS = 183;
    /** Insufficient system resources exist to complete the requested service. */
    int ERROR_NO_SYSTEM_RESOURCES = 1450;
    /** Not enough quota is available to process this command. */
    int ERROR_NOT_ENOUGH_QUOTA = 1816;

    /** {@code GetMailslotInfo}'s {@code lpNextSize} when no message is waiting. */
    int MAILSLOT_NO_MESSAGE = -1;
    /** {@code lReadTimeout}: wait forever. */
    int MAILSLOT_WAIT_FOREVER = -1;

    /** Access right: write. */
    int GENERIC_WRITE = 0x40000000;
    /** Share mode: others may read. */
    int FILE_SHARE_READ = 0x00000001;
    /** Share mode: others may write (needed for concurrent writers; see the shared Windows notes). */
    int FILE_SHARE_WRITE = 0x00000002;
    /** Creation disposition: open only if it exists. */
    int OPEN_EXISTING = 3;
    /** Flags and attributes: none in particular. */
    int FILE_ATTRIBUTE_NORMAL = 0x80;

    /**
     * @return the current process user's SID in string form ({@code S-1-5-21-…}), from the process token.
     */
    String currentUserSid();

    /**
     * {@code CreateMailslotW}: creates a mailslot and returns its server (read) handle.
     *
     * @param lpName             {@code \\.\mailslot\…}.
     * @param nMaxMessageSize    the largest message, 0 for any.
     * @param lReadTimeout       how long a read waits for a message, in milliseconds, or
     *                           {@link #MAILSLOT_WAIT_FOREVER}.
     * @param securityDescriptor a self-relative security descriptor ({@link SelfRelativeSecurityDescriptor}), passed
     *                           in {@code SECURITY_ATTRIBUTES} with {@code bInheritHandle = FALSE}.
     * @return the handle.
     */
    long CreateMailslot(String lpName, int nMaxMessageSize, int lReadTimeout, byte[] securityDescriptor);

    /**
     * {@code GetMailslotInfo}: reads the slot's sizes and queue.
     *
     * @param hMailslot the server handle.
     * @param info      filled in.
     */
    void GetMailslotInfo(long hMailslot, MailslotInfo info);

    /**
     * {@code SetMailslotInfo}: changes the read timeout of later reads.
     *
     * @param hMailslot    the server handle.
     * @param lReadTimeout the new timeout, in milliseconds.
     */
    void SetMailslotInfo(long hMailslot, int lReadTimeout);

    /**
     * {@code CreateFileW} for a mailslot writer.
     *
     * @param lpFileName            the mailslot name.
     * @param dwDesiredAccess       e.g. {@link #GENERIC_WRITE}.
     * @param dwShareMode           e.g. {@code FILE_SHARE_READ | FILE_SHARE_WRITE}.
     * @param dwCreationDisposition {@link #OPEN_EXISTING}.
     * @param dwFlagsAndAttributes  {@link #FILE_ATTRIBUTE_NORMAL}.
     * @return the handle.
     */
    long CreateFile(String lpFileName, int dwDesiredAccess, int dwShareMode, int dwCreationDisposition,
        int dwFlagsAndAttributes);

    /**
     * {@code ReadFile}, synchronous: reads one message into {@code lpBuffer} from its position (which is not moved).
     *
     * @param hFile                the mailslot's server handle.
     * @param lpBuffer             a direct buffer with at least {@code nNumberOfBytesToRead} bytes remaining.
     * @param nNumberOfBytesToRead the buffer length offered.
     * @return bytes read: the message's length.
     */
    int ReadFile(long hFile, ByteBuffer lpBuffer, int nNumberOfBytesToRead);

    /**
     * {@code WriteFile}, synchronous: writes one message from {@code lpBuffer}'s position (which is not moved).
     *
     * @param hFile                 a writer handle.
     * @param lpBuffer              the bytes, direct or heap.
     * @param nNumberOfBytesToWrite the message length.
     * @return bytes written.
     */
    int WriteFile(long hFile, ByteBuffer lpBuffer, int nNumberOfBytesToWrite);

    /**
     * {@code CloseHandle}.
     *
     * @param hObject the handle.
     */
    void CloseHandle(long hObject);

    /**
     * @return the JNA implementation; loads kernel32 and advapi32 on first use, so call it on Windows only.
     */
    static Win32MailslotApi jna() {
        return JnaWin32MailslotApi.INSTANCE;
    }
}
