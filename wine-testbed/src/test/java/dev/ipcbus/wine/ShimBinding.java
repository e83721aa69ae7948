// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.win32.StdCallLibrary;
import dev.ipcbus.platform.windows.Advapi32;
import dev.ipcbus.platform.windows.Kernel32;

import java.util.Map;

/**
 * How {@link Win32ShimIT} reaches the shim: platform-windows' own declarations ({@link Kernel32}, {@link Advapi32}),
 * loaded as its loader does off Windows, with the C calling convention (on Win64 the stdcall convention), so that
 * nothing Win32 is declared twice; plus {@link Extras}, the one export the tests need that the binding does not use.
 */
final class ShimBinding {
    /** Loading options off Windows: the C convention (JNA refuses stdcall there; on Win64 they are one). */
    static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_CALLING_CONVENTION, Function.C_CONVENTION);

    private ShimBinding() {
    }

    /** What the tests call that the production binding does not declare. */
    interface Extras extends StdCallLibrary {
        int GetCurrentProcessId();
    }

    static Kernel32 kernel32() {
        return Native.load("kernel32", Kernel32.class, OPTIONS);
    }

    static Advapi32 advapi32() {
        return Native.load("advapi32", Advapi32.class, OPTIONS);
    }

    static Extras extras() {
        return Native.load("kernel32", Extras.class, OPTIONS);
    }
}
