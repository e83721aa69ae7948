// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.spi.EngineContext;
import dev.ipcbus.spi.EngineTransport;
import dev.ipcbus.spi.EngineTransportProvider;

/**
 * Provides {@code nats://[host:port[,host:port...]/]busName?options}: the bus over NATS, across machines. Pure Java
 * (the jnats client), so supported everywhere; whether a server answers is known when a bus opens. Options: see
 * {@link NatsOptions}; wire format: {@link NatsWire}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class NatsTransportProvider implements EngineTransportProvider {
    /** The URI scheme. */
    public static final String SCHEME = "nats";
    /** System property that disables this transport when {@code true}. */
    public static final String DISABLE_PROPERTY = "ipcbus.nats.disable";

    /**
     * Creates the provider; cheap.
     */
    public NatsTransportProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public boolean isSupported() {
        return unsupportedReason() == null;
    }

    @Override
    public String unsupportedReason() {
        return Boolean.getBoolean(DISABLE_PROPERTY) ? "disabled by -D" + DISABLE_PROPERTY + "=true" : null;
    }

    @Override
    public EngineTransport createEngine(final EngineContext context) {
        return NatsTransport.connect(context);
    }
}
