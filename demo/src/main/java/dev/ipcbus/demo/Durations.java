// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human-readable durations for the demo's output.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ns|us|ms|s|m)");

    private Durations() {
    }

    /**
     * @param option the option name, for the message.
     * @param text   e.g. {@code 500ms}, {@code 5s}.
     * @return the duration.
     * @throws IllegalArgumentException if the text is not a number with a unit (ns, us, ms, s, m).
     */
    static Duration parse(final String option, final String text) {
        final Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("bad duration for " + option + ": '" + text
                + "' (expected e.g. 500ms, 5s)");
        }
        final long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "ns":
                return Duration.ofNanos(amount);
            case "us":
                return Duration.ofNanos(amount * 1000);
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            default:
                return Duration.ofMinutes(amount);
        }
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
