// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A node's timer: one daemon thread, {@code ipcbus-timer-<node>}, that runs request timeouts and the liveness sweep.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class NodeTimer {
    /** How long {@link #stop()} waits for a task in progress. */
    private static final long STOP_WAIT_SECONDS = 5;

    private final ScheduledThreadPoolExecutor executor;
    /** The timer's one thread, once it started (a request future completed there may close the bus). */
    private volatile Thread thread;

    /**
     * @param nodeHex the node, for the thread's name.
     */
    NodeTimer(final String nodeHex) {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            final Thread created = new Thread(runnable, "ipcbus-timer-" + nodeHex);
            thread = created;
            created.setDaemon(true);
            return created;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Runs {@code task} once after a delay.
     *
     * @param task       the task.
     * @param delayNanos the delay.
     * @return the scheduled task.
     * @throws RejectedExecutionException if the timer was stopped.
     */
    ScheduledFuture<?> schedule(final Runnable task, final long delayNanos) {
        return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code task} every {@code periodMillis}, from one period from now, until {@link #stop()}.
     *
     * @param task         the task; an exception it throws ends its repetitions, so it reports its own.
     * @param periodMillis the delay between the end of one run and the start of the next.
     */
    void repeat(final Runnable task, final long periodMillis) {
        executor.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the timer and waits (bounded) for a task in progress: a sweep that ran on after the node's close could
     * find the node's own files half removed and recreate its lock file to check it. Does not wait when called from
     * the timer thread itself (a request future completed there may close the bus).
     */
    void stop() {
        executor.shutdown();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            if (!executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (final InterruptedException ex) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
