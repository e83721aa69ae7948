// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Topics;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable snapshot of the registry at one {@link #version()}: which node subscribes to and responds to what,
 * with per-topic answers cached.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class RoutingTable {
    static final Peer[] NONE = new Peer[0];
    /** Topics cached per snapshot; beyond this, answers are computed per call (bounded memory with many topics). */
    private static final int MAX_CACHED_TOPICS = 4096;

    private final long version;
    private final Map<Long, Peer> peers;
    private final ConcurrentHashMap<String, Peer[]> subscribers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Peer[]> responders = new ConcurrentHashMap<>();

    /**
     * One node as routing sees it, with the outlet the core last used to reach it (a cache in front of the core's
     * outlet map, so that a send makes no map look-up).
     */
    static final class Peer {
        private final long nodeId;
        private final Long key;
        private final NodeRecord record;
        private final int frameLimit;
        private volatile Outlet outlet;

        /**
         * @param nodeId the node.
         * @param record its registry record.
         */
        Peer(final long nodeId, final NodeRecord record) {
            this.nodeId = nodeId;
            this.key = nodeId;
            this.record = record;
            this.frameLimit = record.maxFrameLength() == Inbox.UNKNOWN_FRAME_LENGTH
                ? Integer.MAX_VALUE : record.maxFrameLength();
        }

        /**
         * @param frameLength a frame's length.
         * @return {@code true} if the node's inbox advertises a limit below {@code frameLength}.
         */
        boolean refuses(final long frameLength) {
            return frameLength > frameLimit;
        }

        long nodeId() {
            return nodeId;
        }

        /** @return the node id boxed once, for map look-ups that must not allocate on the hot path. */
        Long key() {
            return key;
        }

        NodeRecord record() {
            return record;
        }

        /** @return the cached outlet, possibly closed since (an offer then says so), or {@code null}. */
        Outlet outlet() {
            return outlet;
        }

        void outlet(final Outlet opened) {
            outlet = opened;
        }

        /** Forgets {@code dropped} if it is the cached outlet. */
        void forget(final Outlet dropped) {
            if (outlet == dropped) {
                outlet = null;
            }
        }

        @Override
        public String toString() {
            return record.id();
        }
    }

    RoutingTable(final long version, final List<NodeRecord> records, final String scheme) {
        this.version = version;
        final Map<Long, Peer> map = new HashMap<>();
        for (final NodeRecord record : records) {
            if (scheme.equals(record.transport())) {
                final long id = NodeIds.parse(record.id());
                map.put(id, new Peer(id, record));
            }
        }
        this.peers = map;
    }

    long version() {
        return version;
    }

    Peer peer(final long nodeId) {
        return peers.get(nodeId);
    }

    Iterable<Peer> peers() {
        return peers.values();
    }

    Peer[] subscribers(final String topic) {
        final Peer[] cached = subscribers.get(topic);
        if (cached != null) {
            return cached;
        }
        final Peer[] found = findSubscribers(topic);
        if (subscribers.size() < MAX_CACHED_TOPICS) {
            subscribers.put(topic, found);
        }
        return found;
    }

    Peer[] responders(final String topic) {
        final Peer[] cached = responders.get(topic);
        if (cached != null) {
            return cached;
        }
        final Peer[] found = findResponders(topic);
        if (responders.size() < MAX_CACHED_TOPICS) {
            responders.put(topic, found);
        }
        return found;
    }

    private Peer[] findSubscribers(final String topic) {
        final List<Peer> found = new ArrayList<>();
        for (final Peer peer : peers.values()) {
            for (final String pattern : peer.record().subscriptions()) {
                if (Topics.matches(pattern, topic)) {
                    found.add(peer);
                    break;
                }
            }
        }
        return found.isEmpty() ? NONE : found.toArray(NONE);
    }

    private Peer[] findResponders(final String topic) {
        final List<Peer> found = new ArrayList<>();
        for (final Peer peer : peers.values()) {
            if (peer.record().responders().contains(topic)) {
                found.add(peer);
            }
        }
        found.sort((a, b) -> Long.compare(a.nodeId(), b.nodeId()));
        return found.isEmpty() ? NONE : found.toArray(NONE);
    }
}
