package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.filemap.FilemapOptions;
import dev.ipcbus.transport.filemap.core.RingTransport;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineTransportFactory;

/**
 * Builds the production {@link RingTransport} over {@link WindowsSegmentStore} on {@link BridgeWin32}: the test
 * scheme {@code winefilemap://} ({@link dev.ipcbus.wine.WineFilemapTransportProvider}) runs the Windows filemap layer
 * under Wine, with the ring bytes shared between the JVMs through {@code /dev/shm} backing files.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class WineFilemapTransportFactory implements WineTransportFactory {
    /**
     * Cheap.
     */
    public WineFilemapTransportFactory() {
    }

    @Override
    public Transport create(final TransportContext context, final Win32Bridge bridge) {
        return new RingTransport(context, new WindowsSegmentStore(context.busName(), new BridgeWin32(bridge)),
            FilemapOptions.read(context.options()));
    }
}
