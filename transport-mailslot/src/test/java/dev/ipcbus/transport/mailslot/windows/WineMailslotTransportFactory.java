package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.mailslot.MailslotOptions;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineTransportFactory;

/**
 * Builds the production {@link MailslotTransport} over {@link WindowsMailslotPlatform} on {@link BridgeWin32}:
 * the test scheme {@code winemailslot://} ({@link dev.ipcbus.wine.WineMailslotTransportProvider}) runs the Windows
 * mailslot layer under Wine.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class WineMailslotTransportFactory implements WineTransportFactory {
    /**
     * Cheap.
     */
    public WineMailslotTransportFactory() {
    }

    @Override
    public Transport create(final TransportContext context, final Win32Bridge bridge) {
        final MailslotOptions options = MailslotOptions.from(context.options());
        return new MailslotTransport(new WindowsMailslotPlatform(new BridgeWin32(bridge), context.busName(),
            options.maxFrame()), context.liveness(), context.errorHandler());
    }
}
