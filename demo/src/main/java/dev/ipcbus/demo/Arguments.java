// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import java.time.Duration;

/**
 * The one place where commands check the numbers and durations picocli parsed for them, before they open a bus. Each
 * check throws {@link IllegalArgumentException} naming the option, the value and the rule; the command line reports it
 * in one line with exit code {@link IpcbusDemo#EXIT_USAGE}.
 */
final class Arguments {
    private Arguments() {
    }

    /**
     * @param option the option, e.g. {@code --count}.
     * @param value  its value.
     * @param min    the smallest value allowed.
     * @throws IllegalArgumentException if {@code value < min}.
     */
    static void atLeast(final String option, final long value, final long min) {
        if (value < min) {
            throw new IllegalArgumentException("bad value for " + option + ": " + value + " (must be >= " + min + ")");
        }
    }

    /**
     * @param option the option, e.g. {@code --rate}.
     * @param value  its value.
     * @param min    the smallest value allowed.
     * @throws IllegalArgumentException if {@code value} is not a finite number {@code >= min}.
     */
    static void atLeast(final String option, final double value, final double min) {
        if (!Double.isFinite(value) || value < min) {
            throw new IllegalArgumentException("bad value for " + option + ": " + value + " (must be a number >= "
                + min + ")");
        }
    }

    /**
     * @param option the option, e.g. {@code --timeout}.
     * @param text   its value, e.g. {@code 500ms}.
     * @return the duration.
     * @throws dev.ipcbus.ConfigurationException if the text is not a duration with a unit; IllegalArgumentException if
     *                                           it is zero.
     */
    static Duration positiveDuration(final String option, final String text) {
        final Duration duration = Durations.parse(option, text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("bad value for " + option + ": " + text + " (must be > 0)");
        }
        return duration;
    }
}
