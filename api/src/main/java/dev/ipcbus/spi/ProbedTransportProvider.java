// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import java.util.function.Function;

/**
 * The base of a provider whose transport may not run on every OS: its scheme and its {@link TransportProbe}, which
 * answers {@link #isSupported()} and {@link #unsupportedReason()} and is checked again in {@link #create} through
 * {@link #ensureAvailable()} (the OS is read on each call: {@code -Dipcbus.platform}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public abstract class ProbedTransportProvider implements TransportProvider {
    private final String scheme;
    private final TransportProbe probe;

    /**
     * @param scheme the URI scheme.
     * @param cause  per OS, why the transport cannot run there, or {@code null} if it can (see {@link TransportProbe}).
     */
    protected ProbedTransportProvider(final String scheme, final Function<OperatingSystem, Throwable> cause) {
        this.scheme = scheme;
        this.probe = new TransportProbe(scheme, cause);
    }

    @Override
    public final String scheme() {
        return scheme;
    }

    @Override
    public final boolean isSupported() {
        return probe.isAvailable();
    }

    @Override
    public final String unsupportedReason() {
        return probe.unsupportedReason();
    }

    /**
     * @throws dev.ipcbus.TransportUnavailableException if the transport cannot run on the OS selected now.
     */
    protected final void ensureAvailable() {
        probe.ensureAvailable();
    }
}
