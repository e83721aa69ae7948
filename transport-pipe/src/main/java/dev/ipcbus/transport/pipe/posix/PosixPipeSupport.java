package dev.ipcbus.transport.pipe.posix;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

/**
 * Probes whether the POSIX pipe layer can run: the JDK opens an {@code AF_UNIX} socket. Computed once, cached.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixPipeSupport {
    private static final String UNAVAILABILITY_CAUSE = probe();

    private PosixPipeSupport() {
    }

    /**
     * @return {@code true} if Unix domain sockets work here.
     */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /**
     * @return why Unix domain sockets do not work here, or {@code null}.
     */
    public static String unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    private static String probe() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.isOpen() ? null : "AF_UNIX socket did not open";
        } catch (final IOException | UnsupportedOperationException ex) {
            return "AF_UNIX sockets unavailable: " + ex;
        }
    }
}
