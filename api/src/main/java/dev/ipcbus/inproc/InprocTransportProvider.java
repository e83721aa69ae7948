// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.inproc;

import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;

/**
 * Provides {@code inproc://name}: every node of the bus lives in this JVM; frames are copied into a bounded queue per
 * node. Options: {@code queue} (frames per inbox, default 4096), {@code maxFrameLength} (default 4MiB).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class InprocTransportProvider implements TransportProvider {
    /** The URI scheme. */
    public static final String SCHEME = "inproc";

    /**
     * Creates the provider; cheap.
     */
    public InprocTransportProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public boolean isProcessLocal() {
        return true;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public String unsupportedReason() {
        return null;
    }

    @Override
    public Transport create(final TransportContext context) {
        return new InprocTransport(context);
    }
}
