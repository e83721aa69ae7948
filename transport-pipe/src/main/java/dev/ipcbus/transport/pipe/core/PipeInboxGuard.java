// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What both OS inboxes share about connections that are new or failing: the hello slots and timeout that bound the
 * threads idle or unauthenticated connections hold, and the reports (counted in {@link PipeInboxCounters}) for a
 * connection closed without a hello, a reader that failed, and a frame beyond the inbox's maximum.
 * <p>
 * <b>Hello slots:</b> each inbox reads every connection on its own thread, the hello included. Before it takes a new
 * connection it takes one of {@link #MAX_PENDING_HELLOS} slots, which the connection's reader gives back once the
 * hello is in (or the connection ended or timed out). So at most that many threads wait for hellos at once, whatever
 * number of connections are opened and left silent; further writers wait in the OS's backlog (POSIX) or for a free
 * pipe instance (Windows), at most a hello timeout per round. A writer sends its hello as soon as it connects, so a
 * healthy connection holds its slot for microseconds.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeInboxGuard {
    /** Connections that may wait for their hello at once, each on its reader thread. */
    public static final int MAX_PENDING_HELLOS = 16;
    /** Longest single wait for a free slot, so that a closing inbox is noticed. */
    private static final long SLOT_POLL_MILLIS = 100;
    /** Pause after a failure to set up a new connection, before taking the next. */
    private static final long SETUP_RETRY_MILLIS = 100;

    private final Semaphore slots = new Semaphore(MAX_PENDING_HELLOS);
    private final long helloTimeoutNanos;
    private final int maxFrameLength;
    private final PipeInboxCounters counters;
    private final ErrorHandler errorHandler;
    private final String inbox;

    /**
     * @param helloTimeoutNanos how long a new connection may take to send its hello.
     * @param maxFrameLength    the inbox's largest frame, for reports.
     * @param counters          the inbox's counters.
     * @param errorHandler      where reports go.
     * @param inbox             names the inbox in reports, as {@code key=value} text.
     */
    public PipeInboxGuard(final long helloTimeoutNanos, final int maxFrameLength, final PipeInboxCounters counters,
        final ErrorHandler errorHandler, final String inbox) {
        this.helloTimeoutNanos = helloTimeoutNanos;
        this.maxFrameLength = maxFrameLength;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.inbox = inbox;
    }

    /**
     * Waits for a free hello slot, in slices so that closing is noticed.
     *
     * @param closed whether the inbox closed.
     * @return {@code true} once a slot is taken (give it back with {@link #releaseHelloSlot()}), {@code false} if the
     * inbox closed first.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitHelloSlot(final BooleanSupplier closed) throws InterruptedException {
        while (!closed.getAsBoolean()) {
            if (slots.tryAcquire(SLOT_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One attempt of an inbox's accepting thread to take a new connection, made while it holds a hello slot.
     */
    @FunctionalInterface
    public interface ConnectionTaker {
        /**
         * @return {@code true} if the slot is no longer the caller's (a reader took it, or the attempt gave it back
         * itself); {@code false} if no connection was taken and the slot is to be given back.
         * @throws InterruptedException to end the accepting thread.
         */
        boolean takeOne() throws InterruptedException;
    }

    /**
     * The accepting thread of an inbox: takes a hello slot, then a connection, until the inbox closes. Nothing but
     * closing (or an interrupt) ends it: a failure to set up one connection is reported and taking goes on after a
     * short pause ({@link #onConnectionSetupFailure}).
     *
     * @param closed whether the inbox closed.
     * @param taker  takes one connection.
     */
    public void serve(final BooleanSupplier closed, final ConnectionTaker taker) {
        while (!closed.getAsBoolean()) {
            try {
                if (!awaitHelloSlot(closed)) {
                    return;
                }
                if (!taker.takeOne()) {
                    releaseHelloSlot();
                }
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            } catch (final Throwable ex) {
                if (closed.getAsBoolean()) {
                    return;
                }
                onConnectionSetupFailure(ex);
            }
        }
    }

    /** Gives back a slot taken by {@link #awaitHelloSlot}. */
    public void releaseHelloSlot() {
        slots.release();
    }

    /**
     * @return the deadline, in {@link System#nanoTime()} terms, for the hello of a connection accepted now.
     */
    public long helloDeadline() {
        return System.nanoTime() + helloTimeoutNanos;
    }

    /**
     * Counts a connection closed because its hello did not arrive in time; reports the first and every 1000th.
     *
     * @param bytesReceived how many bytes of the hello had arrived.
     */
    public void onHelloTimeout(final int bytesReceived) {
        final long count = counters.onHelloTimeout();
        if (count == 1 || count % 1000 == 0) {
            errorHandler.onError(new FrameFormatException("pipe connection sent no hello in time, closed "
                + "(reported the first time and every 1000th): helloTimeoutMillis="
                + TimeUnit.NANOSECONDS.toMillis(helloTimeoutNanos) + ", bytesReceived=" + bytesReceived
                + ", count=" + count + ", " + inbox + ", counter=helloTimeouts"));
        }
    }

    /**
     * Reports a failure to set up a new connection (out of memory, no thread), which the caller has closed, and
     * pauses before the caller takes the next one: the accepting thread must outlive any such failure.
     *
     * @param cause what setting it up failed with.
     */
    public void onConnectionSetupFailure(final Throwable cause) {
        errorHandler.onError(new BusException("pipe inbox cannot serve a new connection, closed it and retrying in "
            + SETUP_RETRY_MILLIS + " ms: " + inbox + ", cause=" + cause, cause));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SETUP_RETRY_MILLIS));
    }

    /**
     * Counts and reports a reader that failed; its connection has been closed.
     *
     * @param thread the reader thread's name.
     * @param cause  what it failed with.
     */
    public void onReaderFailure(final String thread, final Throwable cause) {
        counters.onReaderFailure();
        errorHandler.onError(new BusException("pipe inbox reader failed, its connection closed (the writer "
            + "reconnects; frames it had in flight on it are lost): thread=" + thread + ", " + inbox + ", cause="
            + cause, cause));
    }

    /**
     * Reports a connection's first frame beyond the inbox's maximum (the caller counts every one).
     *
     * @param frameLength that frame's length.
     */
    public void onFirstOversizeFrame(final int frameLength) {
        errorHandler.onError(new FrameFormatException("pipe frame beyond this inbox's maximum dropped, connection "
            + "kept (further ones on it are only counted): frameLength=" + frameLength + ", maxFrameLength="
            + maxFrameLength + ", " + inbox + ", counter=oversizeFramesDropped"));
    }
}
