// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inbox-closing scenarios shared by the POSIX and Windows pipe inboxes, which both read each writer connection on its
 * own thread and serialize deliveries with one lock.
 */
public final class InboxCloseScenarios {
    private InboxCloseScenarios() {
    }

    /**
     * A listener closes its inbox (so the closing thread holds the delivery lock) while three writers keep sending:
     * {@code close()} must return, every thread of the inbox must end, and none may be reported as stuck.
     *
     * @param transport the transport under test.
     * @param dead      the liveness view's dead nodes (the scenario marks the inbox's node dead before closing).
     * @param errors    the transport context's error handler's list.
     * @throws Exception on failure.
     */
    public static void listenerClosesWhileWritersSend(final Transport transport, final Set<Long> dead,
        final List<Throwable> errors) throws Exception {
        final long node = NodeIds.next();
        final Inbox[] holder = new Inbox[1];
        final CountDownLatch closedByListener = new CountDownLatch(1);
        final AtomicInteger seen = new AtomicInteger();
        holder[0] = transport.openInbox(node, frame -> {
            if (seen.incrementAndGet() == 200) {
                dead.add(node); // the writers then see PEER_GONE instead of reconnecting
                holder[0].close(); // from a reader thread, while the other connections keep sending
                closedByListener.countDown();
            }
        });
        // Every writer connected before any sends, so that the listener closes with all three connections open.
        final List<Outlet> outlets = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            outlets.add(transport.openOutlet(node, holder[0].address()));
        }
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        for (final Outlet outlet : outlets) {
            done.add(CompletableFuture.runAsync(() -> sendUntilRefused(outlet)));
        }
        assertTrue(closedByListener.await(10, TimeUnit.SECONDS), "listener closed the inbox");
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        final String threadSuffix = NodeIds.format(node);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.contains(threadSuffix)).toList();
            if (!left.isEmpty()) {
                Thread.sleep(10);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertEquals(List.of(), left, "inbox threads still running");
        assertEquals(List.of(), errors, "no thread reported as stuck");
    }

    /** Offers 16-byte frames until one is refused (the inbox went away), then closes the outlet. */
    private static void sendUntilRefused(final Outlet outlet) {
        final ByteBuf buffer = Unpooled.buffer(16).writeZero(16);
        try {
            while (outlet.offer(buffer, TimeUnit.MILLISECONDS.toNanos(200)) == Outlet.SENT) {
                Thread.onSpinWait();
            }
        } finally {
            buffer.release();
            outlet.close();
        }
    }
}
