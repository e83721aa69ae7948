// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.Outlet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class PipeOutletTest {
    private final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final List<Throwable> errors = new ArrayList<>();
    private final Deque<FakeConnection> toOpen = new ArrayDeque<>();
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();

    @AfterEach
    void release() {
        frame.release();
    }

    private PipeOutlet outlet(final int max) {
        return new PipeOutlet(7, "addr", max, deadline -> {
            connects.incrementAndGet();
            final FakeConnection next = toOpen.poll();
            if (next == null) {
                throw new PipeConnectException(Outlet.PEER_GONE, "refused", null);
            }
            return next;
        }, node -> alive.get(), errors::add, closes::incrementAndGet);
    }

    @Test
    void shouldRefuseFrameLargerThanMaximumBeforeWriting() {
        final FakeConnection connection = new FakeConnection(Outlet.SENT);
        toOpen.add(connection);
        final PipeOutlet outlet = outlet(2);
        assertThrows(IllegalArgumentException.class, () -> outlet.offer(frame, 0));
        assertEquals(0, connection.writes.get());
        assertEquals(3, frame.readableBytes());
        outlet.close();
    }

    @Test
    void shouldReuseOneConnection() {
        final FakeConnection connection = new FakeConnection(Outlet.SENT, Outlet.SENT, Outlet.SENT);
        toOpen.add(connection);
        final PipeOutlet outlet = outlet(100);
        for (int i = 0; i < 3; i++) {
            assertEquals(Outlet.SENT, outlet.offer(frame, 0));
        }
        assertEquals(1, connects.get());
        outlet.close();
        assertTrue(connection.closed);
        assertEquals(1, closes.get());
    }

    @Test
    void shouldReconnectOnceWhenBrokenAndStillAlive() {
        final FakeConnection broken = new FakeConnection(Outlet.PEER_GONE);
        final FakeConnection fresh = new FakeConnection(Outlet.SENT);
        toOpen.add(broken);
        toOpen.add(fresh);
        final PipeOutlet outlet = outlet(100);
        assertEquals(Outlet.SENT, outlet.offer(frame, 0));
        assertTrue(broken.closed);
        assertEquals(2, connects.get());
        outlet.close();
    }

    @Test
    void shouldReturnPeerGoneWhenBrokenAndDead() {
        final FakeConnection broken = new FakeConnection(Outlet.PEER_GONE);
        toOpen.add(broken);
        final PipeOutlet outlet = outlet(100);
        outlet.connectNow(System.nanoTime());
        alive.set(false);
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, 0));
        assertEquals(1, connects.get());
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, 0));
        assertEquals(1, connects.get(), "no connect attempt to a dead node");
        alive.set(true);
        toOpen.add(new FakeConnection(Outlet.SENT));
        assertEquals(Outlet.SENT, outlet.offer(frame, 0), "reconnects on the next offer once alive");
        outlet.close();
    }

    @Test
    void shouldMapConnectFailures() {
        final PipeOutlet outlet = outlet(100);
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, 0));
        outlet.close();
        final PipeOutlet failing = new PipeOutlet(7, "addr", 100, deadline -> {
            throw new BusException("permission denied");
        }, node -> true, errors::add, () -> { });
        assertEquals(Outlet.PEER_GONE, failing.offer(frame, 0));
        assertEquals(1, errors.size());
        failing.close();
    }

    @Test
    void shouldReportAGoneInboxAtOnceWithoutRetryingWhileItsNodeIsAlive() {
        final PipeOutlet outlet = outlet(100);
        final PipeConnectException gone = assertThrows(PipeConnectException.class,
            () -> outlet.connectNow(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
        assertTrue(gone instanceof InboxUnavailableException, "the core owns the retry policy");
        assertEquals(Outlet.PEER_GONE, outlet.offer(frame, TimeUnit.SECONDS.toNanos(10)));
        assertEquals(2, connects.get(), "one connect per call, none retried");
        outlet.close();
    }

    @Test
    void shouldReturnClosedToThreadWaitingInOffer() throws Exception {
        final CountDownLatch waiting = new CountDownLatch(1);
        final FakeConnection blocking = new FakeConnection() {
            @Override
            public int write(final ByteBuf f, final long deadline, final WaitCheck check) {
                waiting.countDown();
                while (true) {
                    final int verdict = check.check();
                    if (verdict != WaitCheck.CONTINUE) {
                        return verdict;
                    }
                    sleep();
                }
            }
        };
        toOpen.add(blocking);
        final PipeOutlet outlet = outlet(100);
        final CompletableFuture<Integer> result = CompletableFuture.supplyAsync(
            () -> outlet.offer(frame, TimeUnit.SECONDS.toNanos(30)));
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        outlet.close();
        assertEquals(Outlet.CLOSED, result.get(5, TimeUnit.SECONDS));
        assertTrue(blocking.closed, "the waiting thread closes the connection on its way out");
        assertEquals(Outlet.CLOSED, outlet.offer(frame, 0));
    }

    @Test
    void shouldReleaseWaitingWriterWhenPeerDies() throws Exception {
        final CountDownLatch waiting = new CountDownLatch(1);
        toOpen.add(new FakeConnection() {
            @Override
            public int write(final ByteBuf f, final long deadline, final WaitCheck check) {
                waiting.countDown();
                while (true) {
                    final int verdict = check.check();
                    if (verdict != WaitCheck.CONTINUE) {
                        return verdict;
                    }
                    sleep();
                }
            }
        });
        final PipeOutlet outlet = outlet(100);
        final CompletableFuture<Integer> result = CompletableFuture.supplyAsync(
            () -> outlet.offer(frame, TimeUnit.SECONDS.toNanos(30)));
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        alive.set(false);
        assertEquals(Outlet.PEER_GONE, result.get(5, TimeUnit.SECONDS));
        outlet.close();
    }

    @Test
    void shouldReportBackPressureWhenLockHolderIsStuck() throws Exception {
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        toOpen.add(new FakeConnection() {
            @Override
            public int write(final ByteBuf f, final long deadline, final WaitCheck check) {
                waiting.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return Outlet.SENT;
            }
        });
        final PipeOutlet outlet = outlet(100);
        final CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> outlet.offer(frame, 0));
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        final long start = System.nanoTime();
        assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, TimeUnit.MILLISECONDS.toNanos(50)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        release.countDown();
        assertEquals(Outlet.SENT, first.get(5, TimeUnit.SECONDS));
        outlet.close();
    }

    /** Returns scripted statuses. */
    private static class FakeConnection implements PipeConnection {
        final Deque<Integer> script = new ArrayDeque<>();
        final AtomicInteger writes = new AtomicInteger();
        volatile boolean closed;

        FakeConnection(final Integer... statuses) {
            script.addAll(List.of(statuses));
        }

        @Override
        public int write(final ByteBuf f, final long deadline, final WaitCheck check) {
            writes.incrementAndGet();
            final Integer next = script.poll();
            return next == null ? Outlet.SENT : next;
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void close() {
            closed = true;
        }

        static void sleep() {
            try {
                Thread.sleep(5);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
