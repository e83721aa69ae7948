// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import dev.ipcbus.spi.OperatingSystem;

/**
 * The Windows layers' view of {@link OperatingSystem#current()}, and their availability probe. {@link #isSelected()}
 * says whether the transport providers use their Windows layer: on Windows by default, or on any OS with
 * {@code -Dipcbus.platform=windows} (how the Wine test bed runs the production bindings on Linux). The availability
 * probe (JNA loads, kernel32 and advapi32 load) runs once, on first use, and is cached.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPlatform {
    /** The system property selecting the OS layer ({@link OperatingSystem#PLATFORM_PROPERTY}). */
    public static final String PLATFORM_PROPERTY = OperatingSystem.PLATFORM_PROPERTY;

    private WindowsPlatform() {
    }

    /**
     * Read on each call, so a test can set the property before it creates a bus.
     *
     * @return whether the Windows layers are selected.
     */
    public static boolean isSelected() {
        return OperatingSystem.current() == OperatingSystem.WINDOWS;
    }

    /**
     * @return why the Win32 libraries do not load here, or {@code null}.
     */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * @return the production binding (loads nothing until called).
     */
    public static Win32 win32() {
        return Probe.WIN32;
    }
    /** Runs the probe on first use only. */
    private static final class Probe {
        static final Win32 WIN32 = new JnaWin32();
        static final Throwable CAUSE = probe();

        private Probe() {
        }

        private static Throwable probe() {
            try {
                Win32Libraries.kernel32();
                Win32Libraries.advapi32();
                return null;
            } catch (final LinkageError | RuntimeException ex) {
                return ex;
            }
        }
    }
}
