// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded waits for the contract cases: every wait ends with an assertion failure naming what did not happen, after
 * {@link #WAIT} at the most. Nothing here orders events by sleeping: a case waits for a future, a queue, a child's
 * line or an observable condition ({@link #awaitUntil}).
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class ContractSupport {
    /** How long a case waits for one expected event. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    /** How often {@link #awaitUntil} and {@link #assertStaysTrue} look at their condition. */
    private static final long POLL_MILLIS = 10;

    private ContractSupport() {
    }

    /**
     * @param future a future.
     * @param <T>    its value's type.
     * @return its value, within {@link #WAIT}.
     * @throws Exception the future's failure, unwrapped; {@link AssertionError} on timeout.
     */
    public static <T> T await(final CompletableFuture<T> future) throws Exception {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final ExecutionException ex) {
            throw ex.getCause() instanceof Exception ? (Exception)ex.getCause() : ex;
        } catch (final TimeoutException ex) {
            throw new AssertionError("future not completed within " + WAIT, ex);
        }
    }

    /**
     * @param queue a queue a handler fills.
     * @param <T>   its elements' type.
     * @return its next element, within {@link #WAIT}.
     * @throws InterruptedException if interrupted.
     */
    public static <T> T poll(final LinkedBlockingQueue<T> queue) throws InterruptedException {
        final T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(value, "nothing received within " + WAIT);
        return value;
    }

    /**
     * @param queue a queue.
     * @param <T>   its elements' type.
     * @return what it holds now, removed from it.
     */
    public static <T> List<T> drain(final LinkedBlockingQueue<T> queue) {
        final List<T> list = new ArrayList<>();
        queue.drainTo(list);
        return list;
    }

    /**
     * Waits until {@code condition} holds, looking at it every few milliseconds.
     *
     * @param condition an observable condition.
     * @param what      what is awaited, for the failure message.
     * @throws AssertionError if it does not hold within {@link #WAIT}, or the thread is interrupted.
     */
    public static void awaitUntil(final BooleanSupplier condition, final String what) {
        awaitUntil(condition, WAIT, what);
    }

    /**
     * Waits until {@code condition} holds, looking at it every few milliseconds.
     *
     * @param condition an observable condition.
     * @param timeout   how long to wait.
     * @param what      what is awaited, for the failure message.
     * @throws AssertionError if it does not hold within {@code timeout}, or the thread is interrupted.
     */
    public static void awaitUntil(final BooleanSupplier condition, final Duration timeout, final String what) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            pause(what);
        }
    }

    /**
     * Checks that {@code condition} holds throughout {@code period}, looking at it every few milliseconds.
     *
     * @param period    how long it must hold.
     * @param condition an observable condition.
     * @param what      what must hold, for the failure message.
     * @throws AssertionError the first time it does not hold, or if the thread is interrupted.
     */
    public static void assertStaysTrue(final Duration period, final BooleanSupplier condition, final String what) {
        final long end = System.nanoTime() + period.toNanos();
        do {
            assertTrue(condition.getAsBoolean(), what);
            pause(what);
        } while (System.nanoTime() - end < 0);
    }

    /** Sleeps one polling interval: the pace of a poll, not an ordering of events. */
    private static void pause(final String what) {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, ex);
        }
    }

    /**
     * Sends a POSIX signal to a process with {@code kill}.
     *
     * @param signal e.g. {@code "STOP"}, {@code "CONT"}.
     * @param pid    the process.
     * @throws Exception if {@code kill} cannot run or fails.
     */
    public static void signal(final String signal, final long pid) throws Exception {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal + " did not finish");
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }
}
