package dev.ipcbus.transport.filemap.windows;

import com.sun.jna.platform.win32.Kernel32;
import dev.ipcbus.transport.filemap.core.SegmentStore;

/**
 * Probe of the Windows filemap layer, computed once on first use: loads JNA's {@code Kernel32} and makes one trivial
 * call. Never called off Windows.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsFilemapSupport {
    private WindowsFilemapSupport() {
    }

    /**
     * @return whether the Win32 calls are usable.
     */
    public static boolean isAvailable() {
        return Probe.FAILURE == null;
    }

    /**
     * @return why not, or {@code null}.
     */
    public static Throwable unavailabilityCause() {
        return Probe.FAILURE;
    }

    /**
     * @param busName the bus name.
     * @return a segment store over the JNA implementation.
     */
    public static SegmentStore newStore(final String busName) {
        return new WindowsSegmentStore(busName, new JnaWin32FileMapApi());
    }

    private static final class Probe {
        static final Throwable FAILURE = probe();

        private static Throwable probe() {
            try {
                Kernel32.INSTANCE.GetCurrentProcessId();
                return null;
            } catch (final RuntimeException | LinkageError failure) {
                return failure;
            }
        }
    }
}
