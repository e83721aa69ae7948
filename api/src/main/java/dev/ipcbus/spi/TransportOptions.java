// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.ConfigurationException;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of a bus URI's query ({@code ?capacity=8MiB&idle=spin}), read with typed getters that record which
 * names were asked for, so that the core can refuse every option nobody read ({@link #checkAllRead(String)}).
 * <p>
 * Sizes accept {@code B}, {@code KiB}, {@code MiB}, {@code GiB} (and {@code K}, {@code M}, {@code G}, powers of
 * 1024); durations accept {@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, and one longer than
 * {@link #MAX_DURATION} (about 73 years) counts as {@link #MAX_DURATION}, so that every duration read here converts to
 * nanoseconds, and adds to a {@link System#nanoTime()} reading, without overflow.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the thread opening the bus.
 */
public final class TransportOptions {
    /**
     * The longest duration the bus counts: 2<sup>61</sup> ns, about 73 years. Longer timeouts (a duration option, or
     * a request timeout such as {@code Duration.ofSeconds(Long.MAX_VALUE)}) count as this long, which is forever in
     * practice; a quarter of {@code Long.MAX_VALUE} nanoseconds, so that deadline and grace arithmetic cannot overflow.
     */
    public static final Duration MAX_DURATION = Duration.ofNanos(1L << 61);

    private final Map<String, String> values;
    private final Set<String> known = new TreeSet<>();

    /**
     * @param values option name to raw value, as parsed from the URI query.
     */
    public TransportOptions(final Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @return every option given, name to raw value.
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Reads a string option that must be one of {@code allowed}.
     *
     * @param name         the option name.
     * @param defaultValue returned when the option is absent.
     * @param allowed      the accepted values (case-insensitive); empty accepts anything.
     * @return the value, lower-cased if {@code allowed} is not empty.
     * @throws ConfigurationException if the value is not one of {@code allowed}.
     */
    public String string(final String name, final String defaultValue, final String... allowed) {
        known.add(name);
        final String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        if (allowed.length == 0) {
            return raw;
        }
        for (final String candidate : allowed) {
            if (candidate.equalsIgnoreCase(raw)) {
                return candidate;
            }
        }
        throw new ConfigurationException("bad option value: option=" + name + ", value=" + raw
            + ", allowed=" + String.join("|", allowed));
    }

    /**
     * Reads a size option such as {@code 8MiB}.
     *
     * @param name         the option name.
     * @param defaultValue returned when the option is absent, in bytes.
     * @return the size in bytes.
     * @throws ConfigurationException if the value is not a non-negative size.
     */
    public long size(final String name, final long defaultValue) {
        known.add(name);
        final String raw = values.get(name);
        return raw == null ? defaultValue : parseSize(name, raw);
    }

    /**
     * Reads a duration option such as {@code 250ms}.
     *
     * @param name         the option name.
     * @param defaultValue returned when the option is absent.
     * @return the duration.
     * @throws ConfigurationException if the value is not a non-negative duration.
     */
    public Duration duration(final String name, final Duration defaultValue) {
        known.add(name);
        final String raw = values.get(name);
        return raw == null ? defaultValue : parseDuration(name, raw);
    }

    /**
     * Refuses options that no getter asked for.
     *
     * @param scheme the transport's scheme, for the message.
     * @throws ConfigurationException naming the unknown options and the ones this transport accepts.
     */
    public void checkAllRead(final String scheme) {
        final Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("unknown option: options=" + unknown + ", transport=" + scheme
                + ", accepted=" + known);
        }
    }

    /**
     * Parses a size such as {@code 4MiB}, {@code 64k} or {@code 1024}.
     *
     * @param name the option name, for the message.
     * @param raw  the text.
     * @return the size in bytes.
     * @throws ConfigurationException if the text is not a non-negative size.
     */
    public static long parseSize(final String name, final String raw) {
        final String text = raw.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        final String unit = text.substring(end).trim();
        final long multiplier;
        switch (unit) {
            case "":
            case "b":
                multiplier = 1;
                break;
            case "k":
            case "kb":
            case "kib":
                multiplier = 1L << 10;
                break;
            case "m":
            case "mb":
            case "mib":
                multiplier = 1L << 20;
                break;
            case "g":
            case "gb":
            case "gib":
                multiplier = 1L << 30;
                break;
            default:
                throw new ConfigurationException("malformed size: option=" + name + ", value=" + raw);
        }
        if (end == 0 || end > 12) {
            throw new ConfigurationException("malformed size: option=" + name + ", value=" + raw);
        }
        return Long.parseLong(text.substring(0, end)) * multiplier;
    }

    /** What a duration looks like, for error messages. */
    private static final String DURATION_FORMS = "a whole number and a unit ns, us, ms, s or m (e.g. 500ms, 5s, 2m)";

    /**
     * Parses a duration such as {@code 250ms}, {@code 5s} or {@code 100us}: the one duration syntax of URIs and tools.
     *
     * @param name the option name, for the message.
     * @param raw  the text.
     * @return the duration, at most {@link #MAX_DURATION}.
     * @throws ConfigurationException if the text is not a non-negative duration with a unit.
     */
    public static Duration parseDuration(final String name, final String raw) {
        return cap(parseUncapped(name, raw));
    }

    /**
     * @param duration a non-negative duration.
     * @return it in nanoseconds, at most {@link #MAX_DURATION}'s (never an {@link ArithmeticException}).
     */
    public static long toNanosCapped(final Duration duration) {
        return cap(duration).toNanos();
    }

    private static Duration cap(final Duration duration) {
        return duration.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : duration;
    }

    private static Duration parseUncapped(final String name, final String raw) {
        final String text = raw.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 12) {
            throw new ConfigurationException("malformed duration: option=" + name + ", value=" + raw + ", expected="
                + DURATION_FORMS);
        }
        final long amount = Long.parseLong(text.substring(0, end));
        switch (text.substring(end).trim()) {
            case "ns":
                return Duration.ofNanos(amount);
            case "us":
                return Duration.ofNanos(amount * 1000);
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
            case "min":
                return Duration.ofMinutes(amount);
            default:
                throw new ConfigurationException("malformed duration: option=" + name + ", value=" + raw
                    + ", expected=" + DURATION_FORMS);
        }
    }
}
