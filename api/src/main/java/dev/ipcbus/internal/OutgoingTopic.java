// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.frame.FrameEncoder;

/**
 * What the sending side keeps per topic, so that a publish makes one map look-up: the topic's validated UTF-8 bytes,
 * the constant part of this node's raw publish frames on it ({@link FrameEncoder#publishTemplate}), and its
 * subscribers as of the routing snapshot they were computed for.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the subscribers are replaced as one immutable pair.
 */
final class OutgoingTopic {
    private final String topic;
    private final byte[] utf8;
    private final byte[] rawPublishTemplate;
    private volatile Subscribers subscribers;

    /** The subscribers of the topic in one routing snapshot. */
    private record Subscribers(RoutingTable table, RoutingTable.Peer[] peers) {
    }

    /**
     * @param topic  a validated topic.
     * @param utf8   its UTF-8 bytes.
     * @param sender      the sending node.
     * @param timestamped whether this node's frames carry a timestamp.
     */
    OutgoingTopic(final String topic, final byte[] utf8, final long sender, final boolean timestamped) {
        this.topic = topic;
        this.utf8 = utf8;
        this.rawPublishTemplate = FrameEncoder.publishTemplate(FrameDescriptor.CONTENT_TYPE_RAW, sender, timestamped,
            utf8);
    }

    /**
     * @return header and topic of this node's raw publish frames on the topic, timestamp 0; not to be modified.
     */
    byte[] rawPublishTemplate() {
        return rawPublishTemplate;
    }

    /**
     * @return the topic's UTF-8 bytes; not to be modified.
     */
    byte[] utf8() {
        return utf8;
    }

    /**
     * @param table the current routing snapshot.
     * @return the nodes subscribed to the topic in it.
     */
    RoutingTable.Peer[] subscribers(final RoutingTable table) {
        final Subscribers cached = subscribers;
        if (cached != null && cached.table() == table) {
            return cached.peers();
        }
        final RoutingTable.Peer[] peers = table.subscribers(topic);
        subscribers = new Subscribers(table, peers);
        return peers;
    }
}
