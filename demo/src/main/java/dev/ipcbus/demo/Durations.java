// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.spi.TransportOptions;

import java.time.Duration;
import java.util.Locale;

/**
 * Human-readable durations for the demo's output.
 */
final class Durations {
    private Durations() {
    }

    /**
     * @param option the option name, for the message.
     * @param text   e.g. {@code 500ms}, {@code 5s}.
     * @return the duration, in the one syntax of bus URIs ({@link TransportOptions#parseDuration}).
     * @throws dev.ipcbus.ConfigurationException if the text is not a number with a unit (the message says the forms).
     */
    static Duration parse(final String option, final String text) {
        return TransportOptions.parseDuration(option, text);
    }

    /**
     * @param nanos a duration in nanoseconds.
     * @return e.g. {@code 850 ns}, {@code 42.1 us}, {@code 3.20 ms}, {@code 1.50 s}.
     */
    static String format(final long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
