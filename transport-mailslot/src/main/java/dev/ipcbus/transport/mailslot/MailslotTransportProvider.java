// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.spi.ProbedTransportProvider;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProbe;
import dev.ipcbus.transport.mailslot.core.MailslotPlatform;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import dev.ipcbus.transport.mailslot.posix.PosixMailslotPlatform;
import dev.ipcbus.transport.mailslot.windows.WindowsMailslotPlatform;

/**
 * Provides the {@code mailslot://} transport: Windows mailslots on Windows, {@code AF_UNIX} datagram sockets on
 * Linux. Other systems are unsupported (the POSIX layer ships Linux constant values and is untested elsewhere).
 * <p>
 * The OS layer is chosen on each {@link #create} by {@link OperatingSystem#current()}. The support probe
 * ({@link TransportProbe}) runs lazily and is cached per OS layer; {@code -Dipcbus.mailslot.disable=true} turns the
 * transport off.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class MailslotTransportProvider extends ProbedTransportProvider {
    /**
     * Cheap: loads nothing native.
     */
    public MailslotTransportProvider() {
        super(MailslotTransport.SCHEME, os -> os == OperatingSystem.WINDOWS ? WindowsPlatform.unavailabilityCause()
            : PosixMailslotPlatform.unavailabilityCause());
    }

    /**
     * Creates the transport for one node, on this OS's layer.
     *
     * @throws dev.ipcbus.ConfigurationException if {@code maxFrame} is malformed, out of bounds, or more than the
     *                                           kernel allows.
     * @throws TransportUnavailableException     if the transport cannot run here.
     */
    @Override
    public Transport create(final TransportContext context) {
        ensureAvailable();
        final MailslotOptions options = MailslotOptions.from(context.options());
        final MailslotPlatform platform;
        if (OperatingSystem.current() == OperatingSystem.WINDOWS) {
            platform = new WindowsMailslotPlatform(WindowsPlatform.win32(), context.busName(), options.maxFrame());
        } else {
            platform = PosixMailslotPlatform.create(context.runtimeDirectory(), options.maxFrame(),
                context.errorHandler());
        }
        return new MailslotTransport(platform, context.liveness(), context.errorHandler(), context::inboxCounters);
    }
}
