// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.micrometer;

import dev.ipcbus.Bus;
import dev.ipcbus.BusException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.Objects;

/**
 * Binds one {@link Bus} node's counters ({@link Bus#counters()}) to a Micrometer registry as function counters: each
 * counter {@code framesSent} becomes {@code ipcbus.frames.sent}, read when the registry is scraped (no copy, no
 * thread), tagged with the bus name, the transport scheme and the node id, plus any tags given here. Counters whose
 * name ends in {@code bytes...} or starts with {@code bytes} have base unit {@code bytes}. The set of counters is the
 * one the node reports when bound. After the bus is closed every counter reads {@code NaN}, which registries drop.
 * <pre>{@code
 * new IpcbusMetrics(bus).bindTo(meterRegistry);
 * }</pre>
 * <b>Thread safety:</b> safe to bind once per registry; reads are safe from any thread.
 */
public final class IpcbusMetrics implements MeterBinder {
    private final Bus bus;
    private final Tags tags;

    /**
     * @param bus the node to report.
     */
    public IpcbusMetrics(final Bus bus) {
        this(bus, Tags.empty());
    }

    /**
     * @param bus  the node to report.
     * @param tags tags added to every meter.
     */
    public IpcbusMetrics(final Bus bus, final Iterable<Tag> tags) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.tags = Tags.of(tags).and("bus", bus.uri().busName(), "transport", bus.uri().scheme(),
            "node", bus.nodeId());
    }

    @Override
    public void bindTo(final MeterRegistry registry) {
        for (final String counter : bus.counters().keySet()) {
            FunctionCounter.builder(meterName(counter), bus, owner -> read(owner, counter))
                .tags(tags)
                .baseUnit(counter.toLowerCase(Locale.ROOT).contains("bytes") ? "bytes" : null)
                .description("ipcbus node counter " + counter)
                .register(registry);
        }
    }

    /**
     * @param counter a counter name in camel case, e.g. {@code framesSent}.
     * @return its meter name, e.g. {@code ipcbus.frames.sent}.
     */
    static String meterName(final String counter) {
        final StringBuilder name = new StringBuilder("ipcbus.");
        for (int i = 0; i < counter.length(); i++) {
            final char c = counter.charAt(i);
            if (Character.isUpperCase(c)) {
                name.append('.').append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    private static double read(final Bus bus, final String counter) {
        try {
            final Long value = bus.counters().get(counter);
            return value == null ? Double.NaN : value;
        } catch (final BusException closed) {
            return Double.NaN;
        }
    }
}
