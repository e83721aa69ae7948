// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.win32.StdCallLibrary;

import java.util.Map;

/**
 * The one loader of {@link Kernel32} and {@link Advapi32}: each is loaded on first use, through a holder, so nothing
 * loads when a class of this package does. No function mapper and no type mapper: every declaration already carries
 * its export name and its exact types.
 * <p>
 * <b>Calling convention:</b> on Windows, {@code stdcall} ({@link StdCallLibrary#STDCALL_CONVENTION}), as for any
 * Win32 DLL. Off Windows only the Wine test bed gets here (the libraries are then shims of the same names that
 * forward to Wine), and JNA refuses {@code stdcall} there; it loads them with the C convention
 * ({@link Function#C_CONVENTION}), which on Win64 is the very same convention ({@code stdcall} is ignored by x64
 * compilers), so what runs is what Windows would run.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use (class initialisation is).
 */
final class Win32Libraries {
    /** The options both libraries are loaded with. */
    static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_CALLING_CONVENTION,
        Platform.isWindows() ? StdCallLibrary.STDCALL_CONVENTION : Function.C_CONVENTION);

    private Win32Libraries() {
    }

    /**
     * @return kernel32, loaded on first use.
     * @throws UnsatisfiedLinkError if it cannot be loaded.
     */
    static Kernel32 kernel32() {
        return Kernel32Holder.INSTANCE;
    }

    /**
     * @return advapi32, loaded on first use.
     * @throws UnsatisfiedLinkError if it cannot be loaded.
     */
    static Advapi32 advapi32() {
        return Advapi32Holder.INSTANCE;
    }

    /** Loads kernel32 on first use only. */
    private static final class Kernel32Holder {
        static final Kernel32 INSTANCE = Native.load("kernel32", Kernel32.class, OPTIONS);

        private Kernel32Holder() {
        }
    }

    /** Loads advapi32 on first use only. */
    private static final class Advapi32Holder {
        static final Advapi32 INSTANCE = Native.load("advapi32", Advapi32.class, OPTIONS);

        private Advapi32Holder() {
        }
    }
}
