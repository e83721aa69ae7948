package dev.ipcbus.spi;

import java.util.function.Supplier;

/**
 * A transport's availability probe, run once on first use and cached (Netty's {@code Epoll.unavailabilityCause()}
 * style), with the standard opt-out property checked first. Backs {@link TransportProvider#unsupportedReason()}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the probe runs at most once.
 */
public final class CachedProbe {
    private final Supplier<String> probe;
    private volatile String reason;
    private volatile boolean probed;

    private CachedProbe(final Supplier<String> probe) {
        this.probe = probe;
    }

    /**
     * @param probe returns why the transport cannot run here, or {@code null} when it can; may load native code.
     * @return the cached probe.
     */
    public static CachedProbe of(final Supplier<String> probe) {
        return new CachedProbe(probe);
    }

    /**
     * @param disableProperty a system property that turns the transport off when {@code true}, e.g.
     *                        {@code ipcbus.pipe.disable}; checked before the probe runs.
     * @param probe           returns why the transport cannot run here, or {@code null} when it can.
     * @return the cached probe.
     */
    public static CachedProbe withOptOut(final String disableProperty, final Supplier<String> probe) {
        return new CachedProbe(() -> Boolean.getBoolean(disableProperty)
            ? "disabled by -D" + disableProperty + "=true" : probe.get());
    }

    /**
     * @return why the transport cannot run here, or {@code null} when it can.
     */
    public String unsupportedReason() {
        if (!probed) {
            synchronized (this) {
                if (!probed) {
                    reason = probe.get();
                    probed = true;
                }
            }
        }
        return reason;
    }
}
