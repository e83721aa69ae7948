// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;

/**
 * The kernel32.dll functions the transports call, raw: one JNA declaration per export, under its real export name
 * (the {@code W} variant where there is an A/W pair), so no function mapper is involved. Parameter names and order
 * are the Win32 documentation's.
 * <p>
 * Types: {@code HANDLE}, {@code LPVOID} and {@code LPOVERLAPPED} are {@link Pointer} ({@code null} is
 * {@code NULL}); {@code DWORD}/{@code UINT}/{@code LONG} are {@code int}; {@code BOOL} is {@code boolean} (JNA passes
 * a 4-byte int); {@code LPCWSTR} is {@link WString}; {@code LPDWORD} is {@link IntByReference};
 * {@code SIZE_T} is {@link SIZE_T}. Never {@code NativeLong} (8 bytes on Linux, 4 on Win64). {@code OVERLAPPED}s are
 * passed as {@link Pointer}s, not {@link OVERLAPPED} structures, because JNA would write a structure argument before
 * and read it after each call, racing with the kernel while overlapped I/O is pending.
 * <p>
 * Loaded only by {@link JnaWin32} through {@link Win32Libraries}; never exported to the transports.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use (JNA proxies are).
 */
public interface Kernel32 extends Library {
    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipew">CreateNamedPipeW</a>.
     *
     * @param lpName               {@code \\.\pipe\name}.
     * @param dwOpenMode           access and flags.
     * @param dwPipeMode           type, read and wait modes.
     * @param nMaxInstances        instance limit.
     * @param nOutBufferSize       output buffer size hint.
     * @param nInBufferSize        input buffer size hint.
     * @param nDefaultTimeOut      default {@code WaitNamedPipeW} time-out, ms.
     * @param lpSecurityAttributes the security descriptor; never {@code null} (the default lets Everyone read).
     * @return the handle, or {@code INVALID_HANDLE_VALUE}.
     */
    Pointer CreateNamedPipeW(WString lpName, int dwOpenMode, int dwPipeMode, int nMaxInstances, int nOutBufferSize,
        int nInBufferSize, int nDefaultTimeOut, SECURITY_ATTRIBUTES lpSecurityAttributes);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe">
     * ConnectNamedPipe</a>.
     *
     * @param hNamedPipe   a server instance.
     * @param lpOverlapped {@code null}: blocks until a client connects.
     * @return success; {@code false} with {@code ERROR_PIPE_CONNECTED} is also a connection.
     */
    boolean ConnectNamedPipe(Pointer hNamedPipe, Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-disconnectnamedpipe">
     * DisconnectNamedPipe</a>.
     *
     * @param hNamedPipe a server instance.
     * @return success.
     */
    boolean DisconnectNamedPipe(Pointer hNamedPipe);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-waitnamedpipew">WaitNamedPipeW</a>.
     *
     * @param lpNamedPipeName the pipe name.
     * @param nTimeOut        ms.
     * @return {@code true} when an instance is available.
     */
    boolean WaitNamedPipeW(WString lpNamedPipeName, int nTimeOut);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-setnamedpipehandlestate">
     * SetNamedPipeHandleState</a>.
     *
     * @param hNamedPipe           the handle.
     * @param lpMode               the new mode, or {@code null}.
     * @param lpMaxCollectionCount {@code null}.
     * @param lpCollectDataTimeout {@code null}.
     * @return success.
     */
    boolean SetNamedPipeHandleState(Pointer hNamedPipe, IntByReference lpMode, IntByReference lpMaxCollectionCount,
        IntByReference lpCollectDataTimeout);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-peeknamedpipe">
     * PeekNamedPipe</a>.
     *
     * @param hNamedPipe             the handle.
     * @param lpBuffer               receives data, or {@code null}.
     * @param nBufferSize            its size.
     * @param lpBytesRead            bytes copied, or {@code null}.
     * @param lpTotalBytesAvail      bytes available, or {@code null}.
     * @param lpBytesLeftThisMessage bytes left in the current message, or {@code null}.
     * @return success.
     */
    boolean PeekNamedPipe(Pointer hNamedPipe, Pointer lpBuffer, int nBufferSize, IntByReference lpBytesRead,
        IntByReference lpTotalBytesAvail, IntByReference lpBytesLeftThisMessage);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew">CreateFileW</a>.
     *
     * @param lpFileName            the name.
     * @param dwDesiredAccess       access rights.
     * @param dwShareMode           sharing.
     * @param lpSecurityAttributes  {@code null} when opening an existing object.
     * @param dwCreationDisposition e.g. {@code OPEN_EXISTING}.
     * @param dwFlagsAndAttributes  flags, attributes and (for a pipe client) the {@code SECURITY_SQOS_PRESENT} flags.
     * @param hTemplateFile         {@code null}.
     * @return the handle, or {@code INVALID_HANDLE_VALUE}.
     */
    Pointer CreateFileW(WString lpFileName, int dwDesiredAccess, int dwShareMode,
        SECURITY_ATTRIBUTES lpSecurityAttributes, int dwCreationDisposition, int dwFlagsAndAttributes,
        Pointer hTemplateFile);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile">ReadFile</a>.
     *
     * @param hFile                the handle.
     * @param lpBuffer             native memory receiving the data, alive until the I/O completes.
     * @param nNumberOfBytesToRead its size.
     * @param lpNumberOfBytesRead  bytes read; {@code null} for overlapped I/O.
     * @param lpOverlapped         {@code null} for synchronous I/O.
     * @return success; {@code false} with {@code ERROR_MORE_DATA} for a partial pipe message.
     */
    boolean ReadFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToRead, IntByReference lpNumberOfBytesRead,
        Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile">WriteFile</a>.
     *
     * @param hFile                  the handle.
     * @param lpBuffer               native memory holding the data, alive and unchanged until the I/O completes.
     * @param nNumberOfBytesToWrite  the count.
     * @param lpNumberOfBytesWritten bytes written; {@code null} for overlapped I/O.
     * @param lpOverlapped           {@code null} for synchronous I/O.
     * @return {@code true} if completed; {@code false} with {@code ERROR_IO_PENDING} if it will complete later.
     */
    boolean WriteFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToWrite,
        IntByReference lpNumberOfBytesWritten, Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresult">
     * GetOverlappedResult</a>.
     *
     * @param hFile                      the handle.
     * @param lpOverlapped               the I/O's {@code OVERLAPPED}.
     * @param lpNumberOfBytesTransferred the count.
     * @param bWait                      wait for completion.
     * @return success of the I/O; {@code false} with {@code ERROR_IO_INCOMPLETE} if still running.
     */
    boolean GetOverlappedResult(Pointer hFile, Pointer lpOverlapped, IntByReference lpNumberOfBytesTransferred,
        boolean bWait);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/fileio/cancelioex-func">CancelIoEx</a>.
     *
     * @param hFile        the handle.
     * @param lpOverlapped one I/O, or {@code null} for all I/O of this process on the handle.
     * @return {@code true} if something was cancelled; {@code false} with {@code ERROR_NOT_FOUND} if nothing was.
     */
    boolean CancelIoEx(Pointer hFile, Pointer lpOverlapped);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-createeventw">CreateEventW</a>.
     *
     * @param lpEventAttributes the security descriptor, or {@code null} for an unnamed private event.
     * @param bManualReset      manual-reset event.
     * @param bInitialState     initially signaled.
     * @param lpName            the name, or {@code null}.
     * @return the handle, or {@code null}; {@code ERROR_ALREADY_EXISTS} with a handle: an existing event.
     */
    Pointer CreateEventW(SECURITY_ATTRIBUTES lpEventAttributes, boolean bManualReset, boolean bInitialState,
        WString lpName);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-openeventw">OpenEventW</a>.
     *
     * @param dwDesiredAccess access.
     * @param bInheritHandle  {@code false}.
     * @param lpName          the name.
     * @return the handle, or {@code null}.
     */
    Pointer OpenEventW(int dwDesiredAccess, boolean bInheritHandle, WString lpName);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-setevent">SetEvent</a>.
     *
     * @param hEvent the event.
     * @return success.
     */
    boolean SetEvent(Pointer hEvent);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobject">
     * WaitForSingleObject</a>.
     *
     * @param hHandle        the object.
     * @param dwMilliseconds the time-out.
     * @return {@code WAIT_OBJECT_0}, {@code WAIT_TIMEOUT}, {@code WAIT_ABANDONED} or {@code WAIT_FAILED}.
     */
    int WaitForSingleObject(Pointer hHandle, int dwMilliseconds);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-closehandle">CloseHandle</a>.
     *
     * @param hObject the handle.
     * @return success.
     */
    boolean CloseHandle(Pointer hObject);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-createfilemappingw">
     * CreateFileMappingW</a>.
     *
     * @param hFile                   {@code INVALID_HANDLE_VALUE} for pagefile-backed memory.
     * @param lpFileMappingAttributes the security descriptor.
     * @param flProtect               page protection.
     * @param dwMaximumSizeHigh       size, high 32 bits.
     * @param dwMaximumSizeLow        size, low 32 bits.
     * @param lpName                  the name.
     * @return the handle, or {@code null}; {@code ERROR_ALREADY_EXISTS} with a handle: an existing mapping.
     */
    Pointer CreateFileMappingW(Pointer hFile, SECURITY_ATTRIBUTES lpFileMappingAttributes, int flProtect,
        int dwMaximumSizeHigh, int dwMaximumSizeLow, WString lpName);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-openfilemappingw">
     * OpenFileMappingW</a>.
     *
     * @param dwDesiredAccess access.
     * @param bInheritHandle  {@code false}.
     * @param lpName          the name.
     * @return the handle, or {@code null} ({@code ERROR_FILE_NOT_FOUND} if missing).
     */
    Pointer OpenFileMappingW(int dwDesiredAccess, boolean bInheritHandle, WString lpName);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-mapviewoffile">MapViewOfFile</a>.
     *
     * @param hFileMappingObject   the mapping.
     * @param dwDesiredAccess      access.
     * @param dwFileOffsetHigh     offset, high 32 bits.
     * @param dwFileOffsetLow      offset, low 32 bits.
     * @param dwNumberOfBytesToMap the view length.
     * @return the view's base address, or {@code null}.
     */
    Pointer MapViewOfFile(Pointer hFileMappingObject, int dwDesiredAccess, int dwFileOffsetHigh, int dwFileOffsetLow,
        SIZE_T dwNumberOfBytesToMap);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-unmapviewoffile">
     * UnmapViewOfFile</a>.
     *
     * @param lpBaseAddress the view's base address.
     * @return success.
     */
    boolean UnmapViewOfFile(Pointer lpBaseAddress);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslotw">CreateMailslotW</a>.
     *
     * @param lpName               {@code \\.\mailslot\name}.
     * @param nMaxMessageSize      the largest message, 0 for any.
     * @param lReadTimeout         read time-out, ms, or {@code MAILSLOT_WAIT_FOREVER}.
     * @param lpSecurityAttributes the security descriptor; never {@code null} (the default lets Everyone read).
     * @return the server handle, or {@code INVALID_HANDLE_VALUE}.
     */
    Pointer CreateMailslotW(WString lpName, int nMaxMessageSize, int lReadTimeout,
        SECURITY_ATTRIBUTES lpSecurityAttributes);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getmailslotinfo">GetMailslotInfo</a>.
     *
     * @param hMailslot        the server handle.
     * @param lpMaxMessageSize the largest message, or {@code null}.
     * @param lpNextSize       the next message's size or {@code MAILSLOT_NO_MESSAGE}, or {@code null}.
     * @param lpMessageCount   messages waiting, or {@code null}.
     * @param lpReadTimeout    the read time-out, or {@code null}.
     * @return success.
     */
    boolean GetMailslotInfo(Pointer hMailslot, IntByReference lpMaxMessageSize, IntByReference lpNextSize,
        IntByReference lpMessageCount, IntByReference lpReadTimeout);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setmailslotinfo">SetMailslotInfo</a>.
     *
     * @param hMailslot    the server handle.
     * @param lReadTimeout the new read time-out, ms.
     * @return success.
     */
    boolean SetMailslotInfo(Pointer hMailslot, int lReadTimeout);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getcurrentprocess">
     * GetCurrentProcess</a>.
     *
     * @return the pseudo-handle of this process (-1); needs no closing.
     */
    Pointer GetCurrentProcess();

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-localfree">LocalFree</a>.
     *
     * @param hMem memory from {@code LocalAlloc} (e.g. returned by the SDDL and SID conversions).
     * @return {@code null} on success, else {@code hMem}.
     */
    Pointer LocalFree(Pointer hMem);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-formatmessagew">FormatMessageW</a>.
     *
     * @param dwFlags      {@code FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS}.
     * @param lpSource     {@code null}.
     * @param dwMessageId  the error code.
     * @param dwLanguageId 0: the default language.
     * @param lpBuffer     receives the wide text (caller memory of {@code nSize} {@code WCHAR}s).
     * @param nSize        the buffer's size in {@code WCHAR}s.
     * @param Arguments    {@code null}.
     * @return the {@code WCHAR}s written, without the terminating NUL; 0 on failure.
     */
    int FormatMessageW(int dwFlags, Pointer lpSource, int dwMessageId, int dwLanguageId, Pointer lpBuffer, int nSize,
        Pointer Arguments);
}
