// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spring.boot;

import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.micrometer.IpcbusMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SpringBootTest(classes = ShopApplication.class)
class IpcbusStarterTest {
    record StockQuery(String sku, Optional<String> warehouse) {
    }

    record StockLevel(String sku, int units, Instant checked) {
    }

    @Autowired
    private Bus bus;
    @Autowired
    private HealthEndpoint health;
    @Autowired
    private MeterRegistry meters;

    @Test
    void busFromApplicationPropertiesCarriesTypedRequests() throws Exception {
        assertEquals("filemap://boot-test?publishTimeout=2s", bus.uri().toString());
        final Instant checked = Instant.parse("2026-12-02T12:00:00Z");
        try (var responder = bus.respond("stock.check", StockQuery.class,
            (query, context) -> new StockLevel(query.sku(), query.warehouse().map(String::length).orElse(0), checked))) {
            final StockLevel level = bus.request("stock.check", new StockQuery("APPLE", Optional.of("north")),
                StockLevel.class, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            assertEquals(new StockLevel("APPLE", 5, checked), level);
        }
        final NodeInfo self = bus.nodes().stream().filter(node -> node.id().equals(bus.nodeId())).findFirst()
            .orElseThrow();
        assertEquals("shop-service", self.name());
    }

    @Test
    void healthAndMetersReportTheNode() {
        assertEquals(Status.UP, health.healthForPath("ipcbus").getStatus());
        bus.publish("audit.ping", "x");
        assertTrue(meters.get("ipcbus.frames.sent").tag("node", bus.nodeId()).functionCounter().count() >= 0);
        assertTrue(meters.find("ipcbus.handler.errors").functionCounter() != null);
    }

    @Test
    void busIsClosedWithTheContextAndBacksOffForTheApplicationsOwn() {
        final Bus[] opened = new Bus[1];
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IpcbusAutoConfiguration.class))
            .withPropertyValues("ipcbus.uri=inproc://runner")
            .run(context -> {
                opened[0] = context.getBean(Bus.class);
                assertEquals("inproc", opened[0].uri().scheme());
                assertTrue(context.getBeansOfType(IpcbusMetrics.class).size() == 1);
            });
        assertThrows(BusClosedException.class, () -> opened[0].publish("after.close", "x"));

        try (Bus own = Bus.open("inproc://own")) {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IpcbusAutoConfiguration.class))
                .withBean(Bus.class, () -> own, definition -> definition.setDestroyMethodName(""))
                .run(context -> assertSame(own, context.getBean(Bus.class)));
        }
    }
}
