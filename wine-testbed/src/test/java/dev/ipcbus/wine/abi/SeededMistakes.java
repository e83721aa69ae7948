// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.ipcbus.platform.windows.SECURITY_ATTRIBUTES;
import dev.ipcbus.platform.windows.ULONG_PTR;

import java.util.List;

/**
 * Test-local JNA declarations, one correct set and one deliberate mistake each, with the difference the comparator
 * must report for it. Used against recorded probe output ({@code AbiComparatorTest}) and the live probe
 * ({@code PlatformWindowsAbiIT}).
 */
final class SeededMistakes {
    private SeededMistakes() {
    }

    /**
     * A seeded mistake.
     *
     * @param name         what it is.
     * @param declarations the declarations containing it.
     * @param expected     a fragment of the difference the comparator must report.
     */
    record Mistake(String name, AbiComparator.Declarations declarations, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Correct declarations: no difference expected. */
    static AbiComparator.Declarations correct() {
        return new AbiComparator.Declarations(List.of(AbiComparator.Binding.of(Correct.Kernel32.class),
            AbiComparator.Binding.of(Correct.Advapi32.class)), List.of(Correct.Constants.class),
            List.of(Correct.OVERLAPPED.class, SECURITY_ATTRIBUTES.class));
    }

    /** Every seeded mistake with the difference it must produce. */
    static List<Mistake> all() {
        return List.of(
            kernel32("LongByReference for an LPDWORD", LongForDword.class,
                "LongForDword.ReadFile parameter 4: Java LongByReference passes p8>8, the header's LPDWORD is p8>4"),
            new Mistake("wrong constant value", declarations(List.of(), List.of(WrongConstant.class), List.of()),
                "WrongConstant.PIPE_ACCESS_DUPLEX = 2 (0x2), the header's PIPE_ACCESS_DUPLEX = 3 (0x3)"),
            new Mistake("constant the probe does not know", declarations(List.of(), List.of(UnknownConstant.class),
                List.of()), "UnknownConstant.PIPE_ACCESS_TRIPLEX: not among the probe's constants"),
            kernel32("missing parameter", MissingParameter.class,
                "MissingParameter.CreateFileW: 6 parameters, the header has 7 (LPCWSTR, DWORD, DWORD, "
                    + "LPSECURITY_ATTRIBUTES, DWORD, DWORD, HANDLE)"),
            kernel32("export name without its W", NoWideSuffix.class,
                "NoWideSuffix.WaitNamedPipe: no such export among the probe's functions (the export is "
                    + "WaitNamedPipeW)"),
            kernel32("function in the wrong DLL", WrongLibrary.class,
                "WrongLibrary.ConvertSidToStringSidW: declared in the kernel32 binding, exported by advapi32"),
            kernel32("String (char *) for an LPCWSTR", NarrowString.class,
                "NarrowString.CreateMailslotW parameter 1: Java String passes p8>1, the header's LPCWSTR is p8>2"),
            kernel32("8-byte return for a DWORD", WideReturn.class,
                "WideReturn.WaitForSingleObject return: Java long passes i8, the header's DWORD is i4"),
            kernel32("NativeLong for a DWORD", NativeLongParameter.class,
                "NativeLongParameter.SetMailslotInfo parameter 2: NativeLong is 4 bytes on Win64 but 8 on Linux"),
            kernel32("structure by value for a pointer", StructureByValue.class,
                "StructureByValue.CreateEventW parameter 1: Java ByValue passes s24, the header's "
                    + "LPSECURITY_ATTRIBUTES is p8>24"),
            new Mistake("structure field of the wrong width",
                declarations(List.of(), List.of(), List.of(NarrowField.OVERLAPPED.class)),
                "OVERLAPPED.Internal: offset 0 size 4 on Win64 as declared in Java, the header's offset 0 size 8"),
            new Mistake("structure field that shifts the rest",
                declarations(List.of(), List.of(), List.of(ShiftedField.SECURITY_ATTRIBUTES.class)),
                "SECURITY_ATTRIBUTES.bInheritHandle: offset 8 size 4 on Win64 as declared in Java, the header's "
                    + "offset 16 size 4"),
            new Mistake("structure the probe does not know",
                declarations(List.of(), List.of(), List.of(UnknownStructure.OVERLAPPED_EX.class)),
                "OVERLAPPED_EX: not among the probe's structures"));
    }

    private static Mistake kernel32(final String name, final Class<?> kernel32, final String expected) {
        return new Mistake(name, declarations(List.of(new AbiComparator.Binding("kernel32", kernel32)), List.of(),
            List.of()), expected);
    }

    private static AbiComparator.Declarations declarations(final List<AbiComparator.Binding> bindings,
        final List<Class<?>> constants, final List<Class<? extends Structure>> structures) {
        return new AbiComparator.Declarations(bindings, constants, structures);
    }

    /** Declarations as they should be. */
    interface Correct {
        interface Kernel32 extends Library {
            boolean ReadFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToRead,
                IntByReference lpNumberOfBytesRead, OVERLAPPED lpOverlapped);

            Pointer CreateFileW(WString lpFileName, int dwDesiredAccess, int dwShareMode,
                SECURITY_ATTRIBUTES lpSecurityAttributes, int dwCreationDisposition, int dwFlagsAndAttributes,
                Pointer hTemplateFile);

            int WaitForSingleObject(Pointer hHandle, int dwMilliseconds);

            void SetLastError(int dwErrCode);

            Pointer GetCurrentProcess();

            Pointer MapViewOfFile(Pointer hFileMappingObject, int dwDesiredAccess, int dwFileOffsetHigh,
                int dwFileOffsetLow, long dwNumberOfBytesToMap);

            int WaitForMultipleObjects(int nCount, Pointer[] lpHandles, boolean bWaitAll, int dwMilliseconds);
        }

        interface Advapi32 extends Library {
            boolean ConvertSidToStringSidW(Pointer Sid, PointerByReference StringSid);
        }

        interface Constants {
            int PIPE_ACCESS_DUPLEX = 3;
            int GENERIC_READ = 0x80000000;
            int MAILSLOT_WAIT_FOREVER = -1;
            long INVALID_HANDLE_VALUE = -1;
            int TokenUser = 1;
            /** Neither written like a Win32 constant nor known to the probe: not checked. */
            int lengthInBytes = 7;
        }

        @Structure.FieldOrder({"Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"})
        final class OVERLAPPED extends Structure {
            public ULONG_PTR Internal = new ULONG_PTR();
            public ULONG_PTR InternalHigh = new ULONG_PTR();
            public int Offset;
            public int OffsetHigh;
            public Pointer hEvent;
        }
    }

    interface LongForDword extends Library {
        boolean ReadFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToRead, LongByReference lpNumberOfBytesRead,
            Pointer lpOverlapped);
    }

    interface WrongConstant {
        int PIPE_ACCESS_DUPLEX = 2;
    }

    interface UnknownConstant {
        int PIPE_ACCESS_TRIPLEX = 7;
    }

    interface MissingParameter extends Library {
        Pointer CreateFileW(WString lpFileName, int dwDesiredAccess, int dwShareMode,
            SECURITY_ATTRIBUTES lpSecurityAttributes, int dwCreationDisposition, int dwFlagsAndAttributes);
    }

    interface NoWideSuffix extends Library {
        boolean WaitNamedPipe(WString lpNamedPipeName, int nTimeOut);
    }

    interface WrongLibrary extends Library {
        boolean ConvertSidToStringSidW(Pointer Sid, PointerByReference StringSid);
    }

    interface NarrowString extends Library {
        Pointer CreateMailslotW(String lpName, int nMaxMessageSize, int lReadTimeout,
            SECURITY_ATTRIBUTES lpSecurityAttributes);
    }

    interface WideReturn extends Library {
        long WaitForSingleObject(Pointer hHandle, int dwMilliseconds);
    }

    interface NativeLongParameter extends Library {
        boolean SetMailslotInfo(Pointer hMailslot, NativeLong lReadTimeout);
    }

    interface StructureByValue extends Library {
        Pointer CreateEventW(ByValue lpEventAttributes, boolean bManualReset, boolean bInitialState, WString lpName);

        @Structure.FieldOrder({"nLength", "lpSecurityDescriptor", "bInheritHandle"})
        final class ByValue extends Structure implements Structure.ByValue {
            public int nLength;
            public Pointer lpSecurityDescriptor;
            public boolean bInheritHandle;
        }
    }

    /** Structures are matched by name, so each mistaken one sits in an interface of its own. */
    interface NarrowField {
        @Structure.FieldOrder({"Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"})
        final class OVERLAPPED extends Structure {
            public int Internal;
            public ULONG_PTR InternalHigh = new ULONG_PTR();
            public int Offset;
            public int OffsetHigh;
            public Pointer hEvent;
        }
    }

    interface ShiftedField {
        /** {@code lpSecurityDescriptor} declared as a 4-byte int. */
        @Structure.FieldOrder({"nLength", "lpSecurityDescriptor", "bInheritHandle"})
        final class SECURITY_ATTRIBUTES extends Structure {
            public int nLength;
            public int lpSecurityDescriptor;
            public boolean bInheritHandle;
        }
    }

    interface UnknownStructure {
        @Structure.FieldOrder({"Internal"})
        final class OVERLAPPED_EX extends Structure {
            public Pointer Internal;
        }
    }
}
