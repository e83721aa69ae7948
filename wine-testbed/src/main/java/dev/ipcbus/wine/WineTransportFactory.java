package dev.ipcbus.wine;

import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;

/**
 * Builds a transport's Windows layer on a {@link Win32Bridge}: implemented in each transport module's tests (in its
 * {@code windows} test package), found by {@link WineTransportProvider} by class name.
 * <p>
 * Implementations have a public no-argument constructor.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface WineTransportFactory {
    /**
     * @param context the bus's transport context, as the core gives it.
     * @param bridge  this JVM's Wine process, in which every Win32 call of the transport is made.
     * @return the transport's Windows layer, making its Win32 calls through the bridge.
     */
    Transport create(TransportContext context, Win32Bridge bridge);
}
