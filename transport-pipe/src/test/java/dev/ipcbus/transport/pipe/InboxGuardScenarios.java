// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.BusException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.transport.pipe.core.PipeInbox;
import dev.ipcbus.transport.pipe.core.PipeInboxCounters;
import dev.ipcbus.transport.pipe.core.PipeInboxGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenarios of issue 13 (items 4 and 5) shared by the POSIX and Windows pipe inboxes, which both read each connection
 * on its own thread: connections that never send a hello are closed after the hello timeout while the threads they
 * hold stay bounded, and a reader that fails closes its connection, reports it, and its writer reconnects.
 */
public final class InboxGuardScenarios {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private InboxGuardScenarios() {
    }

    /**
     * Opens {@code count} connections that never send a hello, plus a well-behaved outlet: every silent one is
     * closed and counted once its hello timeout passes, never more than {@link PipeInboxGuard#MAX_PENDING_HELLOS}
     * reader threads (plus the outlet's, and one ending) exist at once, the failure is reported once, and the
     * outlet's frame arrives.
     *
     * @param transport  a transport whose hello timeout is short (a few hundred ms).
     * @param errors     its error handler's list, empty.
     * @param openSilent connects to an inbox address without sending anything; the result is closed at the end.
     * @param count      how many silent connections.
     * @throws Exception on failure.
     */
    public static void silentConnectionsAreClosedWithBoundedThreads(final Transport transport,
        final List<Throwable> errors, final Function<String, AutoCloseable> openSilent, final int count)
        throws Exception {
        final long node = NodeIds.next();
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(node, frame -> frames.add(ByteBufUtil.getBytes(frame)));
        final String readers = "ipcbus-pipe-read-" + NodeIds.format(node);
        final List<AutoCloseable> silent = new ArrayList<>();
        int most = 0;
        try {
            for (int i = 0; i < count; i++) {
                silent.add(openSilent.apply(inbox.address()));
                most = Math.max(most, threadsNamed(readers));
            }
            final Outlet outlet = transport.openOutlet(node, inbox.address());
            final long deadline = System.nanoTime() + WAIT_NANOS;
            while (counters(inbox).helloTimeouts() < count && System.nanoTime() < deadline) {
                most = Math.max(most, threadsNamed(readers));
                Thread.sleep(5); // sampling the thread count while the silent connections time out
            }
            assertEquals(count, counters(inbox).helloTimeouts(), "silent connections closed");
            // The slots, the outlet's reader, and one that gave its slot back as its last step and is ending.
            assertTrue(most <= PipeInboxGuard.MAX_PENDING_HELLOS + 2, "reader threads at most: " + most);
            final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {7, 7});
            assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)));
            assertArrayEquals(new byte[] {7, 7}, frames.poll(5, TimeUnit.SECONDS));
            assertEquals(1, errors.size(), "reported the first time only: " + errors);
            assertInstanceOf(FrameFormatException.class, errors.get(0));
            assertTrue(errors.get(0).getMessage().contains("no hello"), errors.get(0).getMessage());
            assertEquals(1L, counters(inbox).connectionsOpen(), "only the outlet's connection");
            outlet.close();
        } finally {
            for (final AutoCloseable connection : silent) {
                connection.close();
            }
            inbox.close();
        }
    }

    /**
     * A listener that throws an {@link Error} (as a reader out of direct memory does) on one frame: that reader's
     * connection is closed and reported, the writer's next offer reconnects, and its frame arrives.
     *
     * @param transport the transport.
     * @param errors    its error handler's list, empty.
     * @throws Exception on failure.
     */
    public static void failedReaderClosesItsConnectionAndTheWriterReconnects(final Transport transport,
        final List<Throwable> errors) throws Exception {
        final long node = NodeIds.next();
        final LinkedBlockingQueue<Byte> frames = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(node, frame -> {
            final byte seq = frame.getByte(frame.readerIndex());
            if (seq == 1) {
                throw new OutOfMemoryError("Cannot reserve 2097152 bytes of direct buffer memory (injected)");
            }
            frames.add(seq);
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        try {
            final long timeout = TimeUnit.SECONDS.toNanos(5);
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(new byte[] {0}), timeout));
            assertEquals((byte) 0, frames.poll(5, TimeUnit.SECONDS));
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(new byte[] {1}), timeout));
            final long deadline = System.nanoTime() + WAIT_NANOS;
            while (errors.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // the report follows the failure on the reader thread
            }
            assertEquals(1, errors.size(), errors.toString());
            assertInstanceOf(BusException.class, errors.get(0));
            assertInstanceOf(OutOfMemoryError.class, errors.get(0).getCause());
            assertTrue(errors.get(0).getMessage().contains("reader failed"), errors.get(0).getMessage());
            assertEquals(1L, counters(inbox).readerFailures());
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(new byte[] {2}), timeout),
                "the writer reconnects");
            assertEquals((byte) 2, frames.poll(5, TimeUnit.SECONDS));
        } finally {
            outlet.close();
            inbox.close();
        }
    }

    private static PipeInboxCounters counters(final Inbox inbox) {
        return ((PipeInbox) inbox).counters();
    }

    private static int threadsNamed(final String prefix) {
        int count = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix)) {
                count++;
            }
        }
        return count;
    }
}
