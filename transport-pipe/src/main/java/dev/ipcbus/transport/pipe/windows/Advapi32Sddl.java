package dev.ipcbus.transport.pipe.windows;

import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The advapi32 function jna-platform's {@code Advapi32} lacks: SDDL to security descriptor. Loaded with
 * {@link W32APIOptions#DEFAULT_OPTIONS} (Unicode), so the {@code W} variant is called.
 */
interface Advapi32Sddl extends StdCallLibrary {
    /** {@code SDDL_REVISION_1}. */
    int SDDL_REVISION_1 = 1;

    /**
     * ConvertStringSecurityDescriptorToSecurityDescriptorW (sddl.h, Microsoft Learn); free the result with
     * {@code LocalFree}.
     *
     * @param StringSecurityDescriptor the SDDL text.
     * @param StringSDRevision         {@link #SDDL_REVISION_1}.
     * @param SecurityDescriptor       receives the self-relative descriptor.
     * @param SecurityDescriptorSize   receives its size, may be {@code null}.
     * @return success.
     */
    boolean ConvertStringSecurityDescriptorToSecurityDescriptor(String StringSecurityDescriptor, int StringSDRevision,
        PointerByReference SecurityDescriptor, IntByReference SecurityDescriptorSize);

    /** Loaded on first use only, on Windows only. */
    final class Holder {
        static final Advapi32Sddl INSTANCE = Native.load("advapi32", Advapi32Sddl.class,
            W32APIOptions.DEFAULT_OPTIONS);

        private Holder() {
        }
    }
}
