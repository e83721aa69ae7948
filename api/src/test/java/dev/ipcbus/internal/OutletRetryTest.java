// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.InboxUnavailableException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's "inbox gone but node alive" policy: skip a dead node, retry a live one at once and then with pauses
 * growing from 1 ms to 50 ms, for at most min(publishTimeout, 5 s), then fail naming node, topic and transport.
 */
class OutletRetryTest {
    private static final long NODE = 0x1234L;

    @Test
    void shouldSkipADeadNodeAtOnce() {
        final AtomicInteger asked = new AtomicInteger();
        final OutletRetry retry = new OutletRetry(node -> {
            asked.incrementAndGet();
            assertEquals(NODE, node);
            return false;
        }, NODE, "0000000000001234", "orders.created", "filemap", TimeUnit.SECONDS.toNanos(5));
        assertFalse(retry.awaitRetry(new InboxUnavailableException("gone")));
        assertEquals(1, asked.get());
    }

    @Test
    void shouldRetryALiveNodeUntilItDies() {
        final AtomicInteger asked = new AtomicInteger();
        final OutletRetry retry = new OutletRetry(node -> asked.incrementAndGet() <= 4, NODE, "n", "t", "mailslot",
            TimeUnit.SECONDS.toNanos(5));
        for (int i = 0; i < 4; i++) {
            assertTrue(retry.awaitRetry(null), "retry " + i);
        }
        assertFalse(retry.awaitRetry(null));
    }

    @Test
    void shouldGrowThePauseFromNoneToFiftyMilliseconds() {
        assertEquals(0, OutletRetry.pauseNanos(0));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), OutletRetry.pauseNanos(1));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2), OutletRetry.pauseNanos(2));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(32), OutletRetry.pauseNanos(6));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), OutletRetry.pauseNanos(7));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), OutletRetry.pauseNanos(Integer.MAX_VALUE));
    }

    @Test
    void shouldBoundTheWaitByThePublishTimeoutAndFiveSeconds() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(200), OutletRetry.boundNanos(TimeUnit.MILLISECONDS.toNanos(200)));
        assertEquals(TimeUnit.SECONDS.toNanos(5), OutletRetry.boundNanos(TimeUnit.SECONDS.toNanos(60)));
    }

    @Test
    void shouldFailNamingNodeTopicAndTransportOnceTheBoundPassed() {
        final long bound = TimeUnit.MILLISECONDS.toNanos(100);
        final OutletRetry retry = new OutletRetry(node -> true, NODE, "0000000000001234", "orders.created",
            "filemap", bound);
        final InboxUnavailableException gone = new InboxUnavailableException("filemap inbox is closed: address=x");
        final long start = System.nanoTime();
        final BusException ex = assertThrows(BusException.class, () -> {
            while (true) {
                retry.awaitRetry(gone);
            }
        });
        final long waited = System.nanoTime() - start;
        assertTrue(waited < TimeUnit.SECONDS.toNanos(2), "waitedNanos=" + waited);
        assertTrue(waited >= bound - TimeUnit.MILLISECONDS.toNanos(50), "waitedNanos=" + waited);
        assertTrue(ex.getMessage().startsWith("cannot reach live node: node=0000000000001234, topic=orders.created,"
            + " transport=filemap"), ex.getMessage());
        assertTrue(ex.getMessage().contains("filemap inbox is closed"), ex.getMessage());
        assertSame(gone, ex.getCause());
    }

    @Test
    void shouldRetryOnceAtOnceEvenWithoutAPublishTimeout() {
        final OutletRetry retry = new OutletRetry(node -> true, NODE, "n", "t", "pipe", 0);
        assertTrue(retry.awaitRetry(null));
        assertThrows(BusException.class, () -> retry.awaitRetry(null));
    }
}
