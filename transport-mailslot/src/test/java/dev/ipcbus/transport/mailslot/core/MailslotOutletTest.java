// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.spi.Outlet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MailslotOutletTest {
    private static final int MAX = 1024;

    private final ByteBuf frame = Unpooled.wrappedBuffer(new byte[100]);
    private final FakeSender sender = new FakeSender();
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final AtomicInteger onCloseCalls = new AtomicInteger();
    private final MailslotOutlet outlet = new MailslotOutlet(7, sender, MAX, node -> alive.get(),
        closed -> onCloseCalls.incrementAndGet());

    @AfterEach
    void release() {
        outlet.close();
        frame.release();
    }

    @Test
    void shouldSendAtOnceWhenThereIsRoom() {
        assertEquals(Outlet.SENT, outlet.offer(frame, 0));
        assertEquals(1, sender.sent.get());
        assertEquals(0, frame.readerIndex());
    }

    @Test
    void shouldRefuseFrameLongerThanTheMaximum() {
        final ByteBuf large = Unpooled.wrappedBuffer(new byte[MAX + 1]);
        try {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> outlet.offer(large, 0));
            assertTrue(ex.getMessage().contains("maxFrameLength=" + MAX), ex.getMessage());
            assertEquals(0, sender.attempts.get(), "refused before sending");
        } finally {
            large.release();
        }
    }

    @Test
    void shouldReturnBackPressuredAtOnceWithoutTimeout() {
        sender.full = true;
        assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, 0));
    }

    @Test
    void shouldReturnBackPressuredAfterTheTimeout() {
        sender.full = true;
        final long start = System.nanoTime();
        assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, TimeUnit.MILLISECONDS.toNanos(150)));
        final long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(150), "waited the timeout: " + elapsed);
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(2), "not much longer: " + elapsed);
    }

    @Test
    void shouldSendOnceRoomAppearsWhileWaiting() {
        sender.full = true;
        CompletableFuture.runAsync(() -> {
            sleep(60);
            sender.full = false;
        });
        assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)));
    }

    @Test
    void shouldReleaseWriterAtOnceWhenTheTargetDies() {
        sender.full = true;
        CompletableFuture.runAsync(() -> {
            sleep(60);
            alive.set(false);
        });
        final long start = System.nanoTime();
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, TimeUnit.SECONDS.toNanos(30)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "released long before the timeout");
    }

    @Test
    void shouldPassPeerGoneThrough() {
        sender.gone = true;
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, TimeUnit.SECONDS.toNanos(1)));
    }

    @Test
    void shouldReturnClosedToAWaiterAndCloseTheSenderAfterItLeft() throws Exception {
        sender.full = true;
        final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(
            () -> outlet.offer(frame, TimeUnit.SECONDS.toNanos(30)));
        sleep(60);
        outlet.close();
        assertEquals(Outlet.CLOSED, waiter.get(5, TimeUnit.SECONDS));
        assertEquals(1, sender.closeCalls.get(), "closed once, after the waiter left");
        assertEquals(1, onCloseCalls.get());
        assertEquals(Outlet.CLOSED, outlet.offer(frame, 0));
        outlet.close();
        assertEquals(1, sender.closeCalls.get(), "idempotent");
    }

    @Test
    void shouldAllowCloseFromInsideLivenessCheck() {
        sender.full = true;
        final MailslotOutlet[] self = new MailslotOutlet[1];
        final FakeSender own = new FakeSender();
        own.full = true;
        self[0] = new MailslotOutlet(8, own, MAX, node -> {
            self[0].close(); // as the core does when reclaiming a dead node on this thread
            return false;
        }, closed -> { });
        assertEquals(Outlet.PEER_GONE, self[0].offer(frame, TimeUnit.SECONDS.toNanos(5)));
        assertEquals(1, own.closeCalls.get(), "closed by the offering thread as it left");
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class FakeSender implements DatagramSender {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger closeCalls = new AtomicInteger();
        volatile boolean full;
        volatile boolean gone;

        @Override
        public int send(final ByteBuf frame) {
            attempts.incrementAndGet();
            if (gone) {
                return PEER_GONE;
            }
            if (full) {
                return WOULD_BLOCK;
            }
            sent.incrementAndGet();
            return SENT;
        }

        @Override
        public void awaitWritable(final long timeoutNanos) {
            sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(timeoutNanos, TimeUnit.MILLISECONDS
                .toNanos(5)))));
        }

        @Override
        public void close() {
            closeCalls.incrementAndGet();
        }
    }
}
