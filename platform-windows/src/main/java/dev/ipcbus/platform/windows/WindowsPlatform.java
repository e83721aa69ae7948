package dev.ipcbus.platform.windows;

import dev.ipcbus.TransportUnavailableException;

import java.util.Locale;

/**
 * The one OS probe of the Windows layers. {@link #isSelected()} says whether the transport providers use their
 * Windows layer: on Windows by default, or on any OS with {@code -Dipcbus.platform=windows} (how the Wine test bed
 * runs the production bindings on Linux; {@code -Dipcbus.platform=posix} forces the POSIX layers). The availability
 * probe (JNA loads, kernel32 and advapi32 load) runs once, on first use, and is cached, as Netty's {@code Epoll}
 * does.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPlatform {
    /** The system property selecting the OS layer: {@code windows} or {@code posix}; default from {@code os.name}. */
    public static final String PLATFORM_PROPERTY = "ipcbus.platform";

    private WindowsPlatform() {
    }

    /**
     * Read on each call, so a test can set the property before it creates a bus.
     *
     * @return whether the Windows layers are selected.
     */
    public static boolean isSelected() {
        final String platform = System.getProperty(PLATFORM_PROPERTY);
        if (platform != null && !platform.isBlank()) {
            return platform.trim().equalsIgnoreCase("windows");
        }
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /**
     * @return whether the Win32 libraries load here.
     */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * @return why the Win32 libraries do not load here, or {@code null}.
     */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * @param transport the transport asking, for the message.
     * @throws TransportUnavailableException if the libraries do not load, with the cause.
     */
    public static void ensureAvailable(final String transport) {
        final Throwable cause = Probe.CAUSE;
        if (cause != null) {
            throw new TransportUnavailableException(transport + " Windows layer unavailable: reason=" + cause,
                cause);
        }
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
