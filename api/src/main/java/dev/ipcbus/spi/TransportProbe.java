// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.TransportUnavailableException;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Whether a transport is usable here, in the manner of Netty's {@code Epoll}: {@link #isAvailable()},
 * {@link #unavailabilityCause()} and {@link #ensureAvailable()}, with a {@code -Dipcbus.<scheme>.disable=true}
 * opt-out checked on every call. The probe itself runs at most once per {@link OperatingSystem} (the layer is chosen
 * by {@link OperatingSystem#current()} on each call, so one JVM can ask for both layers) and its answer is cached.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class TransportProbe {
    private final String scheme;
    private final String disableProperty;
    private final Function<OperatingSystem, Throwable> probe;
    private final Map<OperatingSystem, Throwable> causes = new EnumMap<>(OperatingSystem.class);

    /**
     * @param scheme the transport's URI scheme, e.g. {@code pipe}; the opt-out is {@code ipcbus.<scheme>.disable}.
     * @param probe  returns why the transport cannot run on the given OS layer, or {@code null} when it can; may load
     *               native code.
     */
    public TransportProbe(final String scheme, final Function<OperatingSystem, Throwable> probe) {
        this.scheme = scheme;
        this.disableProperty = disableProperty(scheme);
        this.probe = probe;
    }

    /**
     * @param scheme a URI scheme.
     * @return the system property that turns that transport off, {@code ipcbus.<scheme>.disable}.
     */
    public static String disableProperty(final String scheme) {
        return "ipcbus." + scheme + ".disable";
    }

    /**
     * @return whether the transport can run on the current OS layer.
     */
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * @return why the transport cannot run on the current OS layer (opted out, unsupported OS, a native library that
     * does not load), or {@code null} when it can.
     */
    public Throwable unavailabilityCause() {
        if (Boolean.getBoolean(disableProperty)) {
            return new UnsupportedOperationException("disabled by -D" + disableProperty + "=true");
        }
        final OperatingSystem os = OperatingSystem.current();
        synchronized (causes) {
            if (!causes.containsKey(os)) {
                causes.put(os, probe.apply(os));
            }
            return causes.get(os);
        }
    }

    /**
     * @return {@link #unavailabilityCause()}'s message, or {@code null} when the transport can run.
     */
    public String unsupportedReason() {
        final Throwable cause = unavailabilityCause();
        return cause == null ? null : String.valueOf(cause.getMessage());
    }

    /**
     * @throws TransportUnavailableException if the transport cannot run on the current OS layer, with the cause.
     */
    public void ensureAvailable() {
        final Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new TransportUnavailableException(scheme + " transport unavailable: os=" + OperatingSystem.current()
                + ", reason=" + cause.getMessage(), cause);
        }
    }
}
