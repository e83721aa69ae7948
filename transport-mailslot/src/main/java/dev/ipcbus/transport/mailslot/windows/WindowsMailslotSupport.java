package dev.ipcbus.transport.mailslot.windows;

import com.sun.jna.NativeLibrary;
import dev.ipcbus.TransportUnavailableException;

import java.util.Locale;

/**
 * Whether the Windows layer can run here, computed once: the OS must be Windows and kernel32 must export the mailslot
 * functions.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsMailslotSupport {
    private WindowsMailslotSupport() {
    }

    /**
     * @return {@code true} if the layer can run here.
     */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * @return why the layer cannot run here, or {@code null} if it can.
     */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * @throws TransportUnavailableException if the layer cannot run here, with the cause.
     */
    public static void ensureAvailable() {
        final Throwable cause = Probe.CAUSE;
        if (cause != null) {
            throw new TransportUnavailableException("mailslot Windows layer unavailable: reason="
                + cause.getMessage(), cause);
        }
    }

    /**
     * Holder: the probe runs on first use, not when the class loads.
     */
    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            final String os = System.getProperty("os.name", "");
            if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
                return new UnsupportedOperationException("not Windows: os.name=" + os);
            }
            try {
                final NativeLibrary kernel32 = NativeLibrary.getInstance("kernel32");
                kernel32.getFunction("CreateMailslotW");
                kernel32.getFunction("GetMailslotInfo");
                kernel32.getFunction("SetMailslotInfo");
                return null;
            } catch (final RuntimeException | LinkageError ex) {
                return ex;
            }
        }
    }
}
