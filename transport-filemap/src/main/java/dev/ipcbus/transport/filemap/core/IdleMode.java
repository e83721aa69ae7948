// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import java.util.Locale;

/**
 * How a filemap reader waits for frames, and how a writer waits for space in a full ring; chosen with the URI option
 * {@code idle}.
 */
public enum IdleMode {
    /**
     * Busy-spin ({@link Thread#onSpinWait()}): lowest latency, burns one core per reader all the time, never sleeps.
     * Writers never need to ring. Only for benchmarks or machines with cores to spare.
     */
    SPIN,
    /**
     * {@link Thread#yield()} in a loop: lets other threads run, still keeps a core busy when idle.
     */
    YIELD,
    /**
     * Sleep on the doorbell as soon as the ring is empty: lowest CPU use, every frame after a pause pays a kernel
     * wake-up (tens of microseconds).
     */
    BLOCK,
    /**
     * The default: spin briefly, then yield, then sleep on the doorbell. A busy bus runs at spinning speed; an idle
     * one costs no CPU.
     */
    HYBRID;

    /**
     * @return the option value naming this mode, lower case.
     */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value an option value, case-insensitive.
     * @return the mode.
     * @throws IllegalArgumentException if the value names no mode.
     */
    public static IdleMode fromOption(final String value) {
        for (final IdleMode mode : values()) {
            if (mode.optionValue().equalsIgnoreCase(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown idle mode: idle=" + value + ", allowed=spin|yield|block|hybrid");
    }
}
