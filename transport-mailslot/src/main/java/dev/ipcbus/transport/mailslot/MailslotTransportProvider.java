package dev.ipcbus.transport.mailslot;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.CachedProbe;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;
import dev.ipcbus.transport.mailslot.core.MailslotPlatform;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import dev.ipcbus.transport.mailslot.posix.PosixMailslotPlatform;
import dev.ipcbus.transport.mailslot.posix.PosixMailslotSupport;
import dev.ipcbus.transport.mailslot.windows.WindowsMailslotPlatform;

/**
 * Provides the {@code mailslot://} transport: Windows mailslots on Windows, {@code AF_UNIX} datagram sockets on
 * Linux. Other systems are unsupported (the POSIX layer ships Linux constant values and is untested elsewhere).
 * <p>
 * The OS layer is chosen by {@link WindowsPlatform#isSelected()}: from {@code os.name}, or
 * {@code -Dipcbus.platform=windows} for the Windows layer on any OS. The support probe runs lazily on the first call to
 * {@link #isSupported()}, {@link #unsupportedReason()} or {@link #create(TransportContext)} and is cached;
 * {@code -D}{@value #DISABLE_PROPERTY}{@code =true} turns the transport off.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class MailslotTransportProvider implements TransportProvider {
    /** System property that disables this transport when {@code true}. */
    public static final String DISABLE_PROPERTY = "ipcbus.mailslot.disable";

    private final CachedProbe availability = CachedProbe.withOptOut(DISABLE_PROPERTY, () -> {
        final Throwable cause = isWindows() ? WindowsPlatform.unavailabilityCause()
            : PosixMailslotSupport.unavailabilityCause();
        return cause == null ? null : String.valueOf(cause.getMessage());
    });

    /**
     * Cheap: loads nothing native.
     */
    public MailslotTransportProvider() {
    }

    @Override
    public String scheme() {
        return MailslotTransport.SCHEME;
    }

    @Override
    public boolean isSupported() {
        return unsupportedReason() == null;
    }

    @Override
    public String unsupportedReason() {
        return availability.unsupportedReason();
    }

    /**
     * Creates the transport for one node, on this OS's layer.
     *
     * @throws dev.ipcbus.ConfigurationException        if {@code maxFrame} is malformed, out of bounds, or more than
     *                                                  the kernel allows.
     * @throws TransportUnavailableException if the transport cannot run here.
     */
    @Override
    public Transport create(final TransportContext context) {
        final String reason = unsupportedReason();
        if (reason != null) {
            throw new TransportUnavailableException("mailslot transport unavailable: reason=" + reason);
        }
        final MailslotOptions options = MailslotOptions.from(context.options());
        final MailslotPlatform platform;
        if (isWindows()) {
            platform = new WindowsMailslotPlatform(WindowsPlatform.win32(), context.busName(), options.maxFrame());
        } else {
            platform = PosixMailslotPlatform.create(context.runtimeDirectory(), options.maxFrame(),
                context.errorHandler());
        }
        return new MailslotTransport(platform, context.liveness(), context.errorHandler());
    }

    private static boolean isWindows() {
        return WindowsPlatform.isSelected();
    }
}
