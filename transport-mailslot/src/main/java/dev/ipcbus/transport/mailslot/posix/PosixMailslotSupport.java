package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.TransportUnavailableException;

import java.util.Locale;

/**
 * Whether the POSIX layer can run here, computed once: the OS must be Linux (the constant values are Linux's) on a
 * 64-bit JVM (buffers are passed as 64-bit addresses), JNA must load the C library, and an {@code AF_UNIX} datagram
 * socket must open.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixMailslotSupport {
    private PosixMailslotSupport() {
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
            throw new TransportUnavailableException("mailslot POSIX layer unavailable: reason=" + cause.getMessage(),
                cause);
        }
    }

    /**
     * Holder: the probe runs on first use, not when the class loads.
     */
    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            final String os = System.getProperty("os.name", "");
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return new UnsupportedOperationException("not Linux (the POSIX layer ships Linux constant values "
                    + "and is untested elsewhere): os.name=" + os);
            }
            if (!"64".equals(System.getProperty("sun.arch.data.model", "64"))) {
                return new UnsupportedOperationException("not a 64-bit JVM: sun.arch.data.model="
                    + System.getProperty("sun.arch.data.model"));
            }
            try {
                final int fd = LibCSocketCalls.socket();
                LibCSocketCalls.close(fd);
                return null;
            } catch (final RuntimeException | LinkageError ex) {
                return ex;
            }
        }
    }
}
