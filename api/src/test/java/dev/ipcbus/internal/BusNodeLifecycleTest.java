// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusException;
import dev.ipcbus.RequestTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exceptions a caller sees outside the normal flow stay in the {@link BusException} hierarchy: every use after
 * {@code close()} is a {@link BusClosedException}, and a timeout too long to count in nanoseconds counts as the
 * longest duration instead of overflowing.
 */
class BusNodeLifecycleTest {
    @Test
    void shouldRefuseEveryUseAfterCloseWithBusClosedException() {
        final Bus bus = Bus.open("loopback://closed-use");
        bus.subscribe("before.close", String.class, (message, context) -> { });
        bus.close();
        final List<Executable> uses = List.of(
            () -> bus.publish("a.b", "x"),
            () -> bus.publish("a.b", "x", Map.of("k", "v")),
            () -> bus.publishRaw("a.b", new byte[] {1}),
            () -> bus.request("a.b", "x", String.class, Duration.ofSeconds(1)),
            () -> bus.subscribe("a.>", String.class, (message, context) -> { }),
            () -> bus.subscribeRaw("a.>", (payload, context) -> { }),
            () -> bus.respond("a.b", String.class, (request, context) -> request),
            bus::nodes);
        for (int i = 0; i < uses.size(); i++) {
            final BusClosedException ex = assertThrows(BusClosedException.class, uses.get(i), "use " + i);
            assertTrue(ex.getMessage().startsWith("bus is closed: node=" + bus.nodeId()), ex.getMessage());
        }
        bus.close(); // still idempotent
    }

    @Test
    void shouldCountARequestTimeoutTooLongForNanosecondsAsTheLongestDuration() throws Exception {
        try (Bus bus = Bus.open("loopback://long-timeout")) {
            bus.respond("never", String.class, (request, context) -> new CompletableFuture<String>());
            final CompletableFuture<String> reply = bus.request("never", "x", String.class,
                Duration.ofSeconds(Long.MAX_VALUE));
            assertFalse(reply.isDone(), "waits (practically forever): " + reply);
            bus.respond("echo", String.class, (request, context) -> request);
            assertEquals("y", bus.request("echo", "y", String.class, Duration.ofSeconds(Long.MAX_VALUE))
                .get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldOpenWithAPublishTimeoutTooLongForNanoseconds() {
        try (Bus bus = Bus.open("loopback://long-publish-timeout?publishTimeout=999999999999s")) {
            bus.subscribe("t", String.class, (message, context) -> { });
            bus.publish("t", "x");
        }
    }

    @Test
    void shouldStillTimeOutAnOrdinaryRequest() {
        try (Bus bus = Bus.open("loopback://ordinary-timeout")) {
            bus.respond("never", String.class, (request, context) -> new CompletableFuture<String>());
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> bus.request("never", "x", String.class, Duration.ofMillis(50)).get(10, TimeUnit.SECONDS));
            assertInstanceOf(RequestTimeoutException.class, ex.getCause());
            assertTrue(ex.getCause().getMessage().contains("timeoutMillis=50"), ex.getCause().getMessage());
        }
    }
}
