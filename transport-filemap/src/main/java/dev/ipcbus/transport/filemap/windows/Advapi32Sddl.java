package dev.ipcbus.transport.filemap.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The one advapi32 function jna-platform lacks: {@code ConvertStringSecurityDescriptorToSecurityDescriptor}
 * (Unicode). Loaded only when first used, which only the Windows code path does.
 */
interface Advapi32Sddl extends StdCallLibrary {
    /** {@code SDDL_REVISION_1}. */
    int SDDL_REVISION_1 = 1;

    /**
     * {@code BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(LPCWSTR StringSecurityDescriptor,
     * DWORD StringSDRevision, PSECURITY_DESCRIPTOR *SecurityDescriptor, PULONG SecurityDescriptorSize)}; free the
     * result with {@code LocalFree}.
     *
     * @param StringSecurityDescriptor the SDDL.
     * @param StringSDRevision         {@link #SDDL_REVISION_1}.
     * @param SecurityDescriptor       receives the self-relative descriptor.
     * @param SecurityDescriptorSize   receives its size, may be null.
     * @return whether it succeeded; {@code GetLastError()} otherwise.
     */
    boolean ConvertStringSecurityDescriptorToSecurityDescriptor(
        String StringSecurityDescriptor,
        int StringSDRevision,
        PointerByReference SecurityDescriptor,
        WinDef.ULONGByReference SecurityDescriptorSize);

    /** Holder: the library loads on first use of {@code INSTANCE}, never on another OS. */
    final class Holder {
        static final Advapi32Sddl INSTANCE = Native.load("advapi32", Advapi32Sddl.class,
            W32APIOptions.DEFAULT_OPTIONS);

        private Holder() {
        }
    }
}
