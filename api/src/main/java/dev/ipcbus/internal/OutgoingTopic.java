// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.frame.FrameEncoder;

/**
 * What the sending side keeps per topic, so that a publish makes one map look-up: the topic's validated UTF-8 bytes,
 * the constant part of this node's raw and typed publish frames on it ({@link FrameEncoder#publishTemplate}), its
 * subscribers as of the routing snapshot they were computed for, and how long its typed frames have been lately (the
 * room a typed frame is offered to encode itself in place).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the subscribers are replaced as one immutable pair; the length
 * estimate is a hint updated without synchronisation (a lost update only changes the next room).
 */
final class OutgoingTopic {
    private final String topic;
    private final byte[] utf8;
    /** The smallest room a typed frame is offered beyond its estimate. */
    static final int MIN_TYPED_MARGIN = 64;
    /** The room a typed frame is offered before any was encoded on the topic. */
    static final int FIRST_TYPED_ROOM = 512;

    private final byte[] rawPublishTemplate;
    private final byte[] typedPublishTemplate;
    private volatile Subscribers subscribers;
    /** A decaying maximum of the typed frame lengths sent on the topic; 0 before the first. */
    private int typedEstimate;

    /** The subscribers of the topic in one routing snapshot. */
    private record Subscribers(RoutingTable table, RoutingTable.Peer[] peers) {
    }

    /**
     * @param topic  a validated topic.
     * @param utf8   its UTF-8 bytes.
     * @param sender           the sending node.
     * @param timestamped      whether this node's frames carry a timestamp.
     * @param typedContentType the content type of the node's codec.
     */
    OutgoingTopic(final String topic, final byte[] utf8, final long sender, final boolean timestamped,
        final byte typedContentType) {
        this.topic = topic;
        this.utf8 = utf8;
        this.rawPublishTemplate = FrameEncoder.publishTemplate(FrameDescriptor.CONTENT_TYPE_RAW, sender, timestamped,
            utf8);
        this.typedPublishTemplate = FrameEncoder.publishTemplate(typedContentType, sender, timestamped, utf8);
    }

    /**
     * @return header and topic of this node's typed (codec) publish frames without headers on the topic, timestamp
     * 0; not to be modified.
     */
    byte[] typedPublishTemplate() {
        return typedPublishTemplate;
    }

    /**
     * @return the room to offer the next typed frame on this topic for encoding in place: its recent length with a
     * margin (a quarter, at least {@value #MIN_TYPED_MARGIN} bytes), or {@value #FIRST_TYPED_ROOM} before the first.
     */
    int typedRoom() {
        final int estimate = typedEstimate;
        return estimate == 0 ? FIRST_TYPED_ROOM : estimate + Math.max(MIN_TYPED_MARGIN, estimate >> 2);
    }

    /**
     * Records the length of a typed frame sent on the topic: the estimate jumps to a longer frame at once and decays
     * towards shorter ones by an eighth of the difference per frame.
     *
     * @param frameLength the frame's length.
     */
    void typedFrameSent(final int frameLength) {
        final int estimate = typedEstimate;
        typedEstimate = frameLength >= estimate ? frameLength : estimate - ((estimate - frameLength) >> 3);
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
