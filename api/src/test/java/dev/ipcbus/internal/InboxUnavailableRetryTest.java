// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.BusException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core retries a live node whose inbox a transport reports unavailable ({@code openOutlet} throwing
 * {@link dev.ipcbus.spi.InboxUnavailableException}), for publishes and requests, and fails with a message naming
 * node, topic and transport once {@code publishTimeout} passed: loopback transports whose first outlet opens fail.
 */
class InboxUnavailableRetryTest {
    @Test
    void shouldDeliverOnceTheInboxOfALiveNodeIsBack() {
        try (Bus bus = Bus.open("loopback://unavailable-then-back?unavailableOpens=3")) {
            final List<Integer> received = new ArrayList<>();
            bus.subscribeRaw("retry.test", (payload, context) -> received.add(payload.getInt(payload.readerIndex())));
            for (int i = 0; i < 5; i++) {
                bus.publishRaw("retry.test", Unpooled.buffer(4).writeInt(i));
            }
            assertEquals(List.of(0, 1, 2, 3, 4), received);
        }
    }

    @Test
    void shouldSendARequestOnceTheInboxOfALiveResponderIsBack() {
        try (Bus bus = Bus.open("loopback://unavailable-request?unavailableOpens=2")) {
            bus.respond("retry.echo", String.class, (request, context) -> request + "!");
            assertEquals("hi!", bus.request("retry.echo", "hi", String.class, Duration.ofSeconds(5))
                .orTimeout(10, TimeUnit.SECONDS).join());
        }
    }

    @Test
    void shouldFailNamingNodeTopicAndTransportWhenTheInboxStaysUnavailable() {
        try (Bus bus = Bus.open("loopback://unavailable-for-good?unavailableOpens=1000000&publishTimeout=150ms")) {
            bus.subscribeRaw("retry.never", (payload, context) -> { });
            final long start = System.nanoTime();
            final BusException ex = assertThrows(BusException.class,
                () -> bus.publishRaw("retry.never", new byte[] {1}));
            final long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis >= 100 && waitedMillis < 3000, "waitedMillis=" + waitedMillis);
            assertTrue(ex.getMessage().startsWith("cannot reach live node: node=" + bus.nodeId()
                + ", topic=retry.never, transport=loopback"), ex.getMessage());
        }
    }
}
