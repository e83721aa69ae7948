package dev.ipcbus.transport.pipe;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.CachedProbe;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;
import dev.ipcbus.transport.pipe.posix.PosixPipeSupport;
import dev.ipcbus.transport.pipe.posix.PosixPipeTransport;
import dev.ipcbus.transport.pipe.windows.WindowsPipeTransport;

/**
 * Provides {@code pipe://name}: per-node pipe inboxes with message boundaries kept on every OS (message-mode named
 * pipes on Windows, length-prefixed records over Unix domain stream sockets elsewhere). Options: see
 * {@link PipeOptions}.
 * <p>
 * The OS layer is chosen once, by {@link WindowsPlatform#isSelected()} ({@code os.name}, or
 * {@code -Dipcbus.platform=windows} for the Windows layer on any OS). The support probe runs lazily on the first
 * {@link #isSupported()} and is cached; {@code -D}{@value #DISABLE_PROPERTY}{@code =true} turns the transport off.
 * The constructor loads nothing native.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeTransportProvider implements TransportProvider {
    /** System property that disables this transport when {@code true}. */
    public static final String DISABLE_PROPERTY = "ipcbus.pipe.disable";

    private static final boolean WINDOWS = WindowsPlatform.isSelected();

    private final CachedProbe availability = CachedProbe.withOptOut(DISABLE_PROPERTY,
        () -> WINDOWS ? windowsUnavailabilityCause() : PosixPipeSupport.unavailabilityCause());

    /**
     * Creates the provider; cheap.
     */
    public PipeTransportProvider() {
    }

    @Override
    public String scheme() {
        return PipeOptions.SCHEME;
    }

    @Override
    public boolean isSupported() {
        return unsupportedReason() == null;
    }

    @Override
    public String unsupportedReason() {
        return availability.unsupportedReason();
    }

    @Override
    public Transport create(final TransportContext context) {
        final PipeOptions options = PipeOptions.from(context.options());
        final String why = unsupportedReason();
        if (why != null) {
            throw new TransportUnavailableException("pipe transport unavailable: reason=" + why);
        }
        return WINDOWS ? WindowsPipeTransport.create(context, options) : new PosixPipeTransport(context, options);
    }

    private static String windowsUnavailabilityCause() {
        final Throwable cause = WindowsPlatform.unavailabilityCause();
        return cause == null ? null : "named pipes unavailable: " + cause;
    }
}
