package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineTransportFactory;

/**
 * Builds the production {@link WindowsPipeTransport} on {@link BridgeWin32}: the test scheme
 * {@code winepipe://} ({@link dev.ipcbus.wine.WinePipeTransportProvider}) runs the Windows pipe layer under Wine.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class WinePipeTransportFactory implements WineTransportFactory {
    /**
     * Cheap.
     */
    public WinePipeTransportFactory() {
    }

    @Override
    public Transport create(final TransportContext context, final Win32Bridge bridge) {
        return new WindowsPipeTransport(context, PipeOptions.from(context.options()), new BridgeWin32(bridge));
    }
}
