// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.micrometer;

import dev.ipcbus.Bus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpcbusMetricsTest {
    @Test
    void registryShowsTheNodeCounters() throws Exception {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Bus bus = Bus.open("inproc://metrics")) {
            new IpcbusMetrics(bus, Tags.of("app", "shop")).bindTo(registry);
            final CountDownLatch received = new CountDownLatch(3);
            bus.subscribe("orders.>", String.class, (order, context) -> received.countDown());
            for (int i = 0; i < 3; i++) {
                bus.publish("orders.eu", "o-" + i);
            }
            assertTrue(received.await(10, TimeUnit.SECONDS));

            final FunctionCounter sent = registry.get("ipcbus.frames.sent")
                .tags("bus", "metrics", "transport", "inproc", "node", bus.nodeId(), "app", "shop").functionCounter();
            assertEquals(bus.counters().get("framesSent"), (long)sent.count());
            assertTrue(sent.count() >= 3, "framesSent=" + sent.count());
            assertTrue(registry.get("ipcbus.frames.received").functionCounter().count() >= 3);
            assertEquals("bytes", registry.get("ipcbus.bytes.sent").functionCounter().getId().getBaseUnit());
            assertEquals(0.0, registry.get("ipcbus.handler.errors").functionCounter().count());
        }
        assertTrue(Double.isNaN(registry.get("ipcbus.frames.sent").functionCounter().count()));
    }

    @Test
    void meterNamesAreDottedLowerCase() {
        assertEquals("ipcbus.frames.sent", IpcbusMetrics.meterName("framesSent"));
        assertEquals("ipcbus.backpressure.timeouts", IpcbusMetrics.meterName("backpressureTimeouts"));
        assertEquals("ipcbus.inbox.frames.read", IpcbusMetrics.meterName("inboxFramesRead"));
    }
}
