// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.NativeCallException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReceiveLoopTest {
    private static final int MAX = 1024;

    private final ScriptedReceiver receiver = new ScriptedReceiver(MailslotSizing.receiveBufferLength(MAX));
    private final MailslotInboxCounters counters = new MailslotInboxCounters(InboxCounters.inMemory());
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private ReceiveLoop loop;
    private Thread thread;

    private void start(final dev.ipcbus.spi.FrameListener listener) {
        loop = new ReceiveLoop("node=test", receiver, MAX, listener, errors::add, counters);
        thread = new Thread(loop, "receive-loop-test");
        thread.start();
    }

    private void startCollecting() {
        start(frame -> frames.add(frame.toString(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            assertTrue(loop.awaitStopped(TimeUnit.SECONDS.toNanos(5)), "loop stopped");
            thread.join(5000);
            assertEquals(1, receiver.closeCalls, "receiver closed once, by the loop");
        }
    }

    private String next() throws InterruptedException {
        final String frame = frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(frame, "no frame within 5 s");
        return frame;
    }

    @Test
    void shouldDeliverEachDatagramAsOneFrame() throws Exception {
        startCollecting();
        receiver.datagram("one".getBytes(StandardCharsets.UTF_8));
        receiver.datagram("two".getBytes(StandardCharsets.UTF_8));
        receiver.datagram(new byte[MAX]);
        assertEquals("one", next());
        assertEquals("two", next());
        assertEquals(MAX, next().length());
        assertEquals(3, counters.frames());
        assertEquals(6 + MAX, counters.bytes());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldCountEmptyDatagramsAndReportOnlyTheFirst() throws Exception {
        startCollecting();
        receiver.datagram(new byte[0]);
        receiver.datagram(new byte[0]);
        receiver.datagram(new byte[0]);
        receiver.datagram("after".getBytes(StandardCharsets.UTF_8));
        assertEquals("after", next());
        assertEquals(3, counters.zeroLengthDropped());
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(FrameFormatException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("empty datagram"), errors.get(0).getMessage());
    }

    @Test
    void shouldDropOversizeDatagramsWhetherTruncatedOrReportedLonger() throws Exception {
        startCollecting();
        receiver.datagram(new byte[MAX + 1]);
        receiver.datagram(new byte[MAX + 500]);
        receiver.reportedLength(10 * MAX);
        receiver.datagram("ok".getBytes(StandardCharsets.UTF_8));
        assertEquals("ok", next());
        assertEquals(3, counters.oversizeDropped());
        assertEquals(1, counters.frames());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).getMessage().contains("maxFrameLength=" + MAX), errors.get(0).getMessage());
    }

    @Test
    void shouldReportFirstReceiveFailureAndKeepServing() throws Exception {
        startCollecting();
        receiver.failure(new NativeCallException("recv", 5, "Input/output error", "fd=3"));
        receiver.failure(new NativeCallException("recv", 5, "Input/output error", "fd=3"));
        receiver.datagram("still".getBytes(StandardCharsets.UTF_8));
        assertEquals("still", next());
        assertEquals(2, counters.receiveErrors());
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(NativeCallException.class, errors.get(0).getCause());
    }

    @Test
    void shouldReportListenerFailureAndKeepServing() throws Exception {
        start(frame -> {
            final String text = frame.toString(StandardCharsets.UTF_8);
            if (text.equals("boom")) {
                throw new IllegalStateException("listener failed");
            }
            frames.add(text);
        });
        receiver.datagram("boom".getBytes(StandardCharsets.UTF_8));
        receiver.datagram("fine".getBytes(StandardCharsets.UTF_8));
        assertEquals("fine", next());
        assertEquals(1, counters.listenerErrors());
        assertEquals("listener failed", errors.get(0).getMessage());
    }

    @Test
    void shouldSerializeListenerCallsAndKeepOrder() throws Exception {
        final int[] inside = new int[1];
        final List<Integer> seen = new CopyOnWriteArrayList<>();
        start(frame -> {
            inside[0]++;
            assertEquals(1, inside[0], "never concurrent");
            seen.add(frame.getInt(0));
            inside[0]--;
        });
        for (int i = 0; i < 200; i++) {
            receiver.datagram(new byte[] {(byte)(i >>> 24), (byte)(i >>> 16), (byte)(i >>> 8), (byte)i});
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.size() < 200 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void shouldStopFromInsideTheListener() throws Exception {
        final LinkedBlockingQueue<Boolean> stoppedInside = new LinkedBlockingQueue<>();
        start(frame -> {
            loop.stop();
            stoppedInside.add(loop.isLoopThread());
        });
        receiver.datagram("x".getBytes(StandardCharsets.UTF_8));
        assertEquals(Boolean.TRUE, stoppedInside.poll(5, TimeUnit.SECONDS));
        assertTrue(loop.awaitStopped(TimeUnit.SECONDS.toNanos(5)));
    }
}
