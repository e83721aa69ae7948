package dev.ipcbus.transport.pipe.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The kernel32 functions the pipe layer needs that jna-platform's {@code Kernel32} lacks, or declares with a
 * {@code byte[]} buffer (JNA copies a {@code byte[]} and frees the copy when the call returns, which breaks
 * overlapped I/O): here buffers and {@code OVERLAPPED}s are {@link Pointer}s to memory the caller keeps alive.
 * Declared in jna-platform's style; names and parameters as in the Win32 documentation.
 */
interface Kernel32Pipe extends StdCallLibrary {
    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile">ReadFile</a>.
     *
     * @param hFile                the handle.
     * @param lpBuffer             native memory receiving the data.
     * @param nNumberOfBytesToRead its size.
     * @param lpNumberOfBytesRead  bytes read.
     * @param lpOverlapped         {@code null} for synchronous I/O.
     * @return success; {@code ERROR_MORE_DATA} for a partial message.
     */
    boolean ReadFile(HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToRead, IntByReference lpNumberOfBytesRead,
        Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile">WriteFile</a>.
     *
     * @param hFile                  the handle.
     * @param lpBuffer               native memory holding the data, alive until the I/O completes.
     * @param nNumberOfBytesToWrite  the count.
     * @param lpNumberOfBytesWritten {@code null} for overlapped I/O.
     * @param lpOverlapped           the {@code OVERLAPPED}, alive until the I/O completes.
     * @return {@code true} if completed; {@code false} with {@code ERROR_IO_PENDING} if it will complete later.
     */
    boolean WriteFile(HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToWrite, IntByReference lpNumberOfBytesWritten,
        Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresult">
     * GetOverlappedResult</a>.
     *
     * @param hFile                      the handle.
     * @param lpOverlapped               the I/O's {@code OVERLAPPED}.
     * @param lpNumberOfBytesTransferred the count.
     * @param bWait                      wait for completion.
     * @return success of the I/O.
     */
    boolean GetOverlappedResult(HANDLE hFile, Pointer lpOverlapped, IntByReference lpNumberOfBytesTransferred,
        boolean bWait);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/fileio/cancelioex-func">CancelIoEx</a>.
     *
     * @param hFile        the handle.
     * @param lpOverlapped one I/O, or {@code null} for all I/O on the handle from this process.
     * @return {@code true} if something was cancelled; {@code ERROR_NOT_FOUND} if nothing was.
     */
    boolean CancelIoEx(HANDLE hFile, Pointer lpOverlapped);

    /** Loaded on first use only, on Windows only. */
    final class Holder {
        static final Kernel32Pipe INSTANCE = Native.load("kernel32", Kernel32Pipe.class, W32APIOptions.DEFAULT_OPTIONS);

        private Holder() {
        }
    }
}
