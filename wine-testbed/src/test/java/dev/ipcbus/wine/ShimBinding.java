package dev.ipcbus.wine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;

import java.util.Map;

/**
 * A test-only JNA binding of the shim's exports, declared as the production binding declares Win32 (a
 * {@link StdCallLibrary}, real export names, {@code WString}, {@code int} DWORDs, {@code boolean} BOOLs) and loaded as
 * its loader does off Windows: with the C calling convention, which on Win64 is the stdcall convention. It drives
 * the shim in {@link Win32ShimIT} independently of the transports.
 */
final class ShimBinding {
    /** Loading options off Windows: the C convention (JNA refuses stdcall there; on Win64 they are one). */
    static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_CALLING_CONVENTION, Function.C_CONVENTION);

    private ShimBinding() {
    }

    /** kernel32 as the shim exports it. */
    interface Kernel32 extends StdCallLibrary {
        Pointer CreateNamedPipeW(WString lpName, int dwOpenMode, int dwPipeMode, int nMaxInstances,
            int nOutBufferSize, int nInBufferSize, int nDefaultTimeOut, Pointer lpSecurityAttributes);

        boolean ConnectNamedPipe(Pointer hNamedPipe, Pointer lpOverlapped);

        Pointer CreateFileW(WString lpFileName, int dwDesiredAccess, int dwShareMode, Pointer lpSecurityAttributes,
            int dwCreationDisposition, int dwFlagsAndAttributes, Pointer hTemplateFile);

        boolean SetNamedPipeHandleState(Pointer hNamedPipe, IntByReference lpMode, Pointer lpMaxCollectionCount,
            Pointer lpCollectDataTimeout);

        boolean PeekNamedPipe(Pointer hNamedPipe, Pointer lpBuffer, int nBufferSize, IntByReference lpBytesRead,
            IntByReference lpTotalBytesAvail, IntByReference lpBytesLeftThisMessage);

        boolean ReadFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToRead, IntByReference lpNumberOfBytesRead,
            Pointer lpOverlapped);

        boolean WriteFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToWrite,
            IntByReference lpNumberOfBytesWritten, Pointer lpOverlapped);

        boolean GetOverlappedResult(Pointer hFile, Pointer lpOverlapped, IntByReference lpNumberOfBytesTransferred,
            boolean bWait);

        boolean CancelIoEx(Pointer hFile, Pointer lpOverlapped);

        Pointer CreateEventW(Pointer lpEventAttributes, boolean bManualReset, boolean bInitialState, WString lpName);

        int WaitForSingleObject(Pointer hHandle, int dwMilliseconds);

        boolean CloseHandle(Pointer hObject);

        Pointer CreateFileMappingW(Pointer hFile, Pointer lpFileMappingAttributes, int flProtect,
            int dwMaximumSizeHigh, int dwMaximumSizeLow, WString lpName);

        Pointer OpenFileMappingW(int dwDesiredAccess, boolean bInheritHandle, WString lpName);

        Pointer MapViewOfFile(Pointer hFileMappingObject, int dwDesiredAccess, int dwFileOffsetHigh,
            int dwFileOffsetLow, long dwNumberOfBytesToMap);

        boolean UnmapViewOfFile(Pointer lpBaseAddress);

        Pointer CreateMailslotW(WString lpName, int nMaxMessageSize, int lReadTimeout, Pointer lpSecurityAttributes);

        boolean GetMailslotInfo(Pointer hMailslot, IntByReference lpMaxMessageSize, IntByReference lpNextSize,
            IntByReference lpMessageCount, IntByReference lpReadTimeout);

        int GetCurrentProcessId();

        Pointer GetCurrentProcess();

        int FormatMessageW(int dwFlags, Pointer lpSource, int dwMessageId, int dwLanguageId, PointerByReference lpBuffer,
            int nSize, Pointer arguments);

        Pointer LocalFree(Pointer hMem);
    }

    /** advapi32 as the shim exports it. */
    interface Advapi32 extends StdCallLibrary {
        boolean OpenProcessToken(Pointer processHandle, int desiredAccess, PointerByReference tokenHandle);

        boolean GetTokenInformation(Pointer tokenHandle, int tokenInformationClass, Pointer tokenInformation,
            int tokenInformationLength, IntByReference returnLength);

        boolean ConvertSidToStringSidW(Pointer sid, PointerByReference stringSid);

        boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(WString stringSecurityDescriptor,
            int stringSDRevision, PointerByReference securityDescriptor, IntByReference securityDescriptorSize);

        boolean ConvertSecurityDescriptorToStringSecurityDescriptorW(Pointer securityDescriptor,
            int requestedStringSDRevision, int securityInformation, PointerByReference stringSecurityDescriptor,
            IntByReference stringSecurityDescriptorLen);

        int GetSecurityInfo(Pointer handle, int objectType, int securityInfo, PointerByReference ppsidOwner,
            PointerByReference ppsidGroup, PointerByReference ppDacl, PointerByReference ppSacl,
            PointerByReference ppSecurityDescriptor);
    }

    static Kernel32 kernel32() {
        return Native.load("kernel32", Kernel32.class, OPTIONS);
    }

    static Advapi32 advapi32() {
        return Native.load("advapi32", Advapi32.class, OPTIONS);
    }
}
