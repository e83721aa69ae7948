package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.pipe.PipeOptions;

/**
 * The pipe transport on Windows. Placeholder until the layer lands.
 */
public final class WindowsPipeTransport {
    private WindowsPipeTransport() {
    }

    /**
     * @param context the context.
     * @param options the options.
     * @return never.
     */
    public static Transport create(final TransportContext context, final PipeOptions options) {
        throw new TransportUnavailableException("Windows pipe layer not built yet");
    }
}
