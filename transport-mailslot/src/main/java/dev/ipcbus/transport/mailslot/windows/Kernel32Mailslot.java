package dev.ipcbus.transport.mailslot.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The kernel32 functions jna-platform's {@code Kernel32} lacks, declared in its style: the mailslot functions, and
 * {@code ReadFile}/{@code WriteFile} over native memory (jna-platform's take a {@code byte[]}, which JNA copies on
 * every call).
 * <p>
 * Loaded with {@link W32APIOptions#DEFAULT_OPTIONS} (Unicode): {@code CreateMailslot} binds {@code CreateMailslotW};
 * functions without an A/W pair bind by their own name. Failures set {@code GetLastError()}, read with
 * {@link Native#getLastError()} right after the call. The instance lives in {@link Holder}, so nothing loads off
 * Windows.
 */
interface Kernel32Mailslot extends StdCallLibrary {
    /**
     * Creates a mailslot with the specified name and returns a handle that a mailslot server can use to perform
     * operations on the mailslot. The mailslot is local to the computer that creates it. An error occurs if a mailslot
     * with the specified name already exists ({@code ERROR_ALREADY_EXISTS}).
     * <p>
     * See <a href="https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-createmailslotw">
     * CreateMailslotW</a>.
     *
     * @param lpName               {@code \\.\mailslot\[path]name}, unique.
     * @param nMaxMessageSize      the maximum size of a single message, in bytes; 0 for any size.
     * @param lReadTimeout         the time a read operation can wait for a message, in milliseconds;
     *                             {@code MAILSLOT_WAIT_FOREVER} (-1) to wait forever.
     * @param lpSecurityAttributes the security descriptor and handle inheritance; {@code null} for the default
     *                             (which grants read access to everyone: never pass {@code null}).
     * @return the server handle, or {@code INVALID_HANDLE_VALUE} on failure.
     */
    WinNT.HANDLE CreateMailslot(String lpName, int nMaxMessageSize, int lReadTimeout,
        WinBase.SECURITY_ATTRIBUTES lpSecurityAttributes);

    /**
     * Retrieves information about the specified mailslot.
     * <p>
     * See <a href="https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-getmailslotinfo">
     * GetMailslotInfo</a>.
     *
     * @param hMailslot        a handle from {@code CreateMailslot}.
     * @param lpMaxMessageSize receives the maximum message size; may be {@code null}.
     * @param lpNextSize       receives the size of the next message, or {@code MAILSLOT_NO_MESSAGE} (-1); may be
     *                         {@code null}.
     * @param lpMessageCount   receives the number of messages waiting; may be {@code null}.
     * @param lpReadTimeout    receives the read timeout in milliseconds; may be {@code null}.
     * @return {@code true} on success.
     */
    boolean GetMailslotInfo(WinNT.HANDLE hMailslot, IntByReference lpMaxMessageSize, IntByReference lpNextSize,
        IntByReference lpMessageCount, IntByReference lpReadTimeout);

    /**
     * Sets the time-out value used by the specified mailslot for a read operation.
     * <p>
     * See <a href="https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-setmailslotinfo">
     * SetMailslotInfo</a>.
     *
     * @param hMailslot    a handle from {@code CreateMailslot}.
     * @param lReadTimeout the new read timeout, in milliseconds.
     * @return {@code true} on success.
     */
    boolean SetMailslotInfo(WinNT.HANDLE hMailslot, int lReadTimeout);

    /**
     * {@code ReadFile} into native memory, synchronous ({@code lpOverlapped} must be {@code null}). On a mailslot a
     * read returns one whole message; a buffer smaller than the next message fails with
     * {@code ERROR_INSUFFICIENT_BUFFER} and leaves the message queued.
     *
     * @param hFile                the handle.
     * @param lpBuffer             native memory of at least {@code nNumberOfBytesToRead} bytes.
     * @param nNumberOfBytesToRead the buffer's length.
     * @param lpNumberOfBytesRead  receives the number of bytes read.
     * @param lpOverlapped         {@code null}.
     * @return {@code true} on success.
     */
    boolean ReadFile(WinNT.HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToRead,
        IntByReference lpNumberOfBytesRead, Pointer lpOverlapped);

    /**
     * {@code WriteFile} from native memory, synchronous ({@code lpOverlapped} must be {@code null}). On a mailslot
     * each call writes one message.
     *
     * @param hFile                  the handle.
     * @param lpBuffer               native memory holding the message.
     * @param nNumberOfBytesToWrite  the message's length.
     * @param lpNumberOfBytesWritten receives the number of bytes written.
     * @param lpOverlapped           {@code null}.
     * @return {@code true} on success.
     */
    boolean WriteFile(WinNT.HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToWrite,
        IntByReference lpNumberOfBytesWritten, Pointer lpOverlapped);

    /**
     * Holder: kernel32 is loaded on first use of {@link #INSTANCE}, never when the interface loads.
     */
    final class Holder {
        /** The bound library. */
        static final Kernel32Mailslot INSTANCE = Native.load("kernel32", Kernel32Mailslot.class,
            W32APIOptions.DEFAULT_OPTIONS);

        private Holder() {
        }
    }
}
