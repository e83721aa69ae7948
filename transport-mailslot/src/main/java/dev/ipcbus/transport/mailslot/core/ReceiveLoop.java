// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.spi.FrameListener;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The receive loop of one inbox: reads one datagram at a time into the receiver's reused buffer and hands each one
 * that can be a frame to the listener, so listener calls are serialized and keep each writer's order.
 * <p>
 * What the loop drops itself, counts in {@link MailslotInboxCounters} and reports once (the first of each kind) through
 * the {@link ErrorHandler}: empty datagrams and datagrams longer than the largest frame (truncated by the read).
 * Whether a datagram's bytes form a valid frame is the core's check, not the transport's. A failed read is counted and
 * reported once, then retried after a short pause; after {@link #MAX_CONSECUTIVE_FAILURES} failures in a row the loop
 * reports that it gives up and stops. A listener that throws is reported every time (the core's listener is not
 * expected to throw) and the loop goes on.
 * <p>
 * The loop allocates nothing per datagram: every frame is handed over in the same reused buffer, so a listener that
 * keeps a frame must copy it ({@code retainedSlice()} would keep the memory, not the bytes, which the next datagram
 * overwrites).
 * <p>
 * <b>Thread safety:</b> {@link #run()} runs on one thread; {@link #stop()} and the getters are safe from any thread.
 */
public final class ReceiveLoop implements Runnable {
    /** Consecutive failed reads after which the loop stops. */
    public static final int MAX_CONSECUTIVE_FAILURES = 1000;

    private static final long FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String inboxName;
    private final DatagramReceiver receiver;
    private final int maxFrameLength;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final MailslotInboxCounters counters;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread thread;

    /**
     * @param inboxName      names the inbox in messages, e.g. {@code "node=…, address=…"}.
     * @param receiver       the slot to read; closed by this loop when it ends.
     * @param maxFrameLength the largest frame; longer datagrams are dropped.
     * @param listener       receives each frame.
     * @param errorHandler   receives the reports.
     * @param counters       updated by this loop.
     */
    public ReceiveLoop(
        final String inboxName,
        final DatagramReceiver receiver,
        final int maxFrameLength,
        final FrameListener listener,
        final ErrorHandler errorHandler,
        final MailslotInboxCounters counters) {
        this.inboxName = inboxName;
        this.receiver = receiver;
        this.maxFrameLength = maxFrameLength;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.counters = counters;
    }

    /**
     * Runs the loop until {@link #stop()}, then closes the receiver.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        final ByteBuf buffer = receiver.buffer();
        int consecutiveFailures = 0;
        try {
            while (running) {
                final int length;
                try {
                    length = receiver.receive();
                } catch (final RuntimeException ex) {
                    if (!running) {
                        break;
                    }
                    consecutiveFailures++;
                    if (counters.onReceiveError() == 1) {
                        report(new FrameFormatException("mailslot receive failed (further failures are only "
                            + "counted): " + inboxName + ", counter=inboxErrors", ex));
                    }
                    if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
                        report(new FrameFormatException("mailslot receive loop stopped after "
                            + consecutiveFailures + " consecutive failures: " + inboxName, ex));
                        break;
                    }
                    LockSupport.parkNanos(FAILURE_PAUSE_NANOS);
                    continue;
                }
                consecutiveFailures = 0;
                if (!running) {
                    break;
                }
                if (length == DatagramReceiver.NOTHING) {
                    continue;
                }
                if (length == 0) {
                    if (counters.onZeroLength() == 1) {
                        report(new FrameFormatException("empty datagram dropped (further ones are only counted): "
                            + inboxName + ", counter=inboxFramesDropped"));
                    }
                    continue;
                }
                if (length > maxFrameLength) {
                    if (counters.onOversize() == 1) {
                        report(new FrameFormatException("oversize datagram dropped (further ones are only "
                            + "counted): " + inboxName + ", length=" + length + ", maxFrameLength=" + maxFrameLength
                            + ", counter=inboxFramesDropped"));
                    }
                    continue;
                }
                buffer.setIndex(0, length);
                counters.onFrame(length);
                try {
                    listener.onFrame(buffer);
                } catch (final RuntimeException | Error ex) {
                    counters.onListenerError();
                    report(ex);
                }
            }
        } finally {
            try {
                receiver.close();
            } catch (final RuntimeException ex) {
                report(ex);
            } finally {
                stopped.countDown();
            }
        }
    }

    /**
     * Asks the loop to stop and wakes its thread; returns at once. Idempotent.
     */
    public void stop() {
        running = false;
        receiver.wakeup();
    }

    /**
     * @return the largest frame this loop delivers; longer datagrams are dropped, counted and reported.
     */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return {@code true} if the caller is the loop's own thread (a listener calling back).
     */
    public boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Waits for the loop to end and the receiver to be closed.
     *
     * @param timeoutNanos the longest wait.
     * @return {@code true} if it ended in time.
     */
    public boolean awaitStopped(final long timeoutNanos) {
        try {
            return stopped.await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return stopped.getCount() == 0;
        }
    }

    private void report(final Throwable error) {
        try {
            errorHandler.onError(error);
        } catch (final RuntimeException ignored) {
            // An error handler that throws must not stop the receive loop.
        }
    }
}
