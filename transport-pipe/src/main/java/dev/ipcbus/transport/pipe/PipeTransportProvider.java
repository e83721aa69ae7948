// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.spi.ProbedTransportProvider;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProbe;
import dev.ipcbus.transport.pipe.core.PipePlatform;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.transport.pipe.posix.PosixPipePlatform;
import dev.ipcbus.transport.pipe.windows.WindowsPipePlatform;

/**
 * Provides {@code pipe://name}: per-node pipe inboxes with message boundaries kept on every OS (message-mode named
 * pipes on Windows, length-prefixed records over Unix domain stream sockets elsewhere). Options: see
 * {@link PipeOptions}.
 * <p>
 * The OS layer is chosen on each {@link #create} by {@link OperatingSystem#current()}. The support probe
 * ({@link TransportProbe}) runs lazily and is cached per OS layer; {@code -Dipcbus.pipe.disable=true} turns the
 * transport off. The constructor loads nothing native.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeTransportProvider extends ProbedTransportProvider {
    /**
     * Creates the provider; cheap.
     */
    public PipeTransportProvider() {
        super(PipeOptions.SCHEME, os -> os == OperatingSystem.WINDOWS ? WindowsPlatform.unavailabilityCause()
            : PosixPipePlatform.unavailabilityCause());
    }

    @Override
    public Transport create(final TransportContext context) {
        final PipeOptions options = PipeOptions.from(context.options());
        ensureAvailable();
        final PipePlatform platform = OperatingSystem.current() == OperatingSystem.WINDOWS
            ? new WindowsPipePlatform(WindowsPlatform.win32(), context.busName(), context.errorHandler())
            : new PosixPipePlatform(context.runtimeDirectory(), context.busName(), context.errorHandler());
        return new PipeTransport(context, options, platform);
    }
}
