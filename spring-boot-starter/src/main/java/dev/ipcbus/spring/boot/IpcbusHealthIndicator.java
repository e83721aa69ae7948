// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spring.boot;

import dev.ipcbus.Bus;
import dev.ipcbus.BusException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.util.Map;

/**
 * {@code UP} while the bus is open, with its URI, node id and counters as details; {@code DOWN} with the reason once
 * it is closed or its counters cannot be read.
 */
public class IpcbusHealthIndicator extends AbstractHealthIndicator {
    private final Bus bus;

    /**
     * @param bus the node to report.
     */
    public IpcbusHealthIndicator(final Bus bus) {
        super("ipcbus health check failed");
        this.bus = bus;
    }

    @Override
    protected void doHealthCheck(final Health.Builder builder) {
        builder.withDetail("uri", bus.uri().toString()).withDetail("node", bus.nodeId());
        try {
            final Map<String, Long> counters = bus.counters();
            builder.up().withDetail("counters", counters);
        } catch (final BusException ex) {
            builder.down(ex);
        }
    }
}
