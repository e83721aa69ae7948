// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.NodeLiveness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The core's one "inbox gone but node alive" policy, for one send to one node. The transports do not retry: when
 * {@link dev.ipcbus.spi.Transport#openOutlet} throws {@link dev.ipcbus.spi.InboxUnavailableException}, or an outlet
 * answers {@link dev.ipcbus.spi.Outlet#PEER_GONE} or {@link dev.ipcbus.spi.Outlet#CLOSED}, the sender asks
 * {@link #awaitRetry}: a dead node is skipped; a live one is retried once at once, then after pauses growing from
 * {@value #FIRST_PAUSE_MILLIS} ms to {@value #MAX_PAUSE_MILLIS} ms, for at most {@code min(publishTimeout,
 * }{@value #MAX_WAIT_SECONDS}{@code  s)}; then the send fails with a {@link BusException} naming node, topic and
 * transport.
 * <p>
 * A live node's inbox is missing for a moment when the node is closing (a filemap ring whose reader is closed: the
 * node's lock goes last) or when its dead process is being reclaimed by another (a mailslot already removed, the
 * dead node's lock still held by the reclaimer), or when an outlet was closed under the sender (dropped by a routing
 * change): each ends within milliseconds, with the node dead or its inbox back.
 * <p>
 * Created only once a send found the inbox gone: the hot path never allocates one.
 * <p>
 * <b>Thread safety:</b> confined to the sending thread.
 */
final class OutletRetry {
    /** The first pause, after an immediate retry. */
    static final long FIRST_PAUSE_MILLIS = 1;
    /** The longest pause. */
    static final long MAX_PAUSE_MILLIS = 50;
    /** The longest wait for one node, whatever the publish timeout. */
    static final long MAX_WAIT_SECONDS = 5;

    private final NodeLiveness liveness;
    private final long nodeId;
    private final String node;
    private final String topic;
    private final String transport;
    private final long startNanos = System.nanoTime();
    private final long boundNanos;
    private int retries;

    /**
     * @param liveness            the registry's answer to "is this node alive".
     * @param nodeId              the node sent to.
     * @param node                the node, for the message.
     * @param topic               the topic sent on, for the message.
     * @param transport           the transport's scheme, for the message.
     * @param publishTimeoutNanos the node's publish timeout.
     */
    OutletRetry(
        final NodeLiveness liveness,
        final long nodeId,
        final String node,
        final String topic,
        final String transport,
        final long publishTimeoutNanos) {
        this.liveness = liveness;
        this.nodeId = nodeId;
        this.node = node;
        this.topic = topic;
        this.transport = transport;
        this.boundNanos = boundNanos(publishTimeoutNanos);
    }

    /**
     * @param publishTimeoutNanos the node's publish timeout.
     * @return how long a send retries a live node whose inbox is gone: {@code min(publishTimeout, 5 s)}.
     */
    static long boundNanos(final long publishTimeoutNanos) {
        return Math.min(publishTimeoutNanos, TimeUnit.SECONDS.toNanos(MAX_WAIT_SECONDS));
    }

    /**
     * @param retry how many retries came before this one.
     * @return the pause before it: none for the first, then {@value #FIRST_PAUSE_MILLIS} ms doubling up to
     * {@value #MAX_PAUSE_MILLIS} ms.
     */
    static long pauseNanos(final int retry) {
        if (retry == 0) {
            return 0;
        }
        final long millis = FIRST_PAUSE_MILLIS << Math.min(retry - 1, 16);
        return TimeUnit.MILLISECONDS.toNanos(Math.min(millis, MAX_PAUSE_MILLIS));
    }

    /**
     * Decides what follows a failed attempt on the node: asks the registry whether it is alive and, if it is, waits
     * for the next retry.
     *
     * @param failure why the inbox was not reached (for the message), or {@code null} for an outlet that said so.
     * @return {@code false} if the node is dead (skip it); {@code true} when it is time to retry.
     * @throws BusException if the node is alive but its inbox stayed unreachable past the bound, or the thread was
     *                      interrupted while waiting.
     */
    boolean awaitRetry(final RuntimeException failure) {
        if (!liveness.isAlive(nodeId)) {
            return false;
        }
        final long pause = pauseNanos(retries);
        final long waited = System.nanoTime() - startNanos;
        if (retries > 0 && waited + pause > boundNanos || Thread.currentThread().isInterrupted()) {
            throw new BusException("cannot reach live node: node=" + node + ", topic=" + topic + ", transport="
                + transport + ", retries=" + retries + ", waitedMillis=" + TimeUnit.NANOSECONDS.toMillis(waited)
                + (failure == null ? ", error=inbox gone" : ", error=" + failure.getMessage()), failure);
        }
        if (pause > 0) {
            LockSupport.parkNanos(pause);
        }
        retries++;
        return true;
    }
}
