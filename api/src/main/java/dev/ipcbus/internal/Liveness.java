// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.registry.NodeRegistry;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds dead nodes and forgets them. A sweep on the node's timer checks the responders of pending requests every
 * {@value #SWEEP_PERIOD_MILLIS} ms and every known node every {@value #FULL_SWEEP_EVERY}th sweep; the registry
 * reclaims a node it finds dead (whoever finds it, holding its lock) and tells {@link #onReclaim}, which drops the
 * node's outlet and fails the requests in its inbox with {@link dev.ipcbus.ResponderGoneException}. Each sweep also
 * publishes the traffic counters.
 * <p>
 * <b>Thread safety:</b> {@link #sweep()} runs on the timer thread; {@link #onReclaim} on whichever thread asked the
 * registry about the dead node.
 */
final class Liveness implements NodeRegistry.ReclaimListener {
    /** How often the responders of pending requests are checked. */
    static final long SWEEP_PERIOD_MILLIS = 100;
    /** Every how many sweeps every known node is checked. */
    static final int FULL_SWEEP_EVERY = 10;

    private final long nodeId;
    private final NodeRegistry registry;
    private final TrafficCounters traffic;
    private final ErrorHandler errorHandler;
    private final AtomicBoolean closed;
    private final Sender sender;
    private final Requests requests;
    /** Confined to the timer thread. */
    private long sweeps;

    /**
     * @param node     the node's parts.
     * @param closed   the node's closed flag: no sweep runs once it is set.
     * @param sender   routes (the nodes to check) and keeps the outlets to drop.
     * @param requests the requests to fail.
     */
    Liveness(final NodeAssembly node, final AtomicBoolean closed, final Sender sender, final Requests requests) {
        this.nodeId = node.nodeId();
        this.registry = node.registry();
        this.traffic = node.traffic();
        this.errorHandler = node.errorHandler();
        this.closed = closed;
        this.sender = sender;
        this.requests = requests;
    }

    /**
     * Starts sweeping.
     *
     * @param timer the node's timer.
     */
    void start(final NodeTimer timer) {
        timer.repeat(this::sweep, SWEEP_PERIOD_MILLIS);
    }

    /** A node was found dead and its transport resources released: forget what this node kept for it. */
    @Override
    public void onReclaim(final long deadNode, final NodeRecord record) {
        sender.outlets().drop(deadNode);
        requests.failPendingTo(deadNode);
    }

    private void sweep() {
        if (closed.get()) {
            return;
        }
        try {
            traffic.flush();
            for (final long responder : requests.awaitedResponders()) {
                if (!registry.isAlive(responder)) {
                    requests.failPendingTo(responder);
                }
            }
            if (++sweeps % FULL_SWEEP_EVERY == 0) {
                for (final RoutingTable.Peer peer : sender.routes().current().peers()) {
                    if (peer.nodeId() != nodeId && !registry.isAlive(peer.nodeId())) {
                        requests.failPendingTo(peer.nodeId());
                    }
                }
                registry.reclaimUnlisted();
            }
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }
}
