// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ipcbus.spi.Inbox;

import java.util.List;
import java.util.Objects;

/**
 * What the registry knows about one node, as stored in its node file (JSON).
 *
 * @param id             the node id, 16 hex digits.
 * @param pid            the owning process id.
 * @param transport      the transport scheme.
 * @param address        the inbox address for {@link dev.ipcbus.spi.Transport#openOutlet(long, String)}.
 * @param name           a human-readable node name.
 * @param startedMillis  when the node opened, milliseconds since the epoch.
 * @param subscriptions  the topic patterns the node subscribes to.
 * @param responders     the topics the node responds to.
 * @param maxFrameLength the largest frame, header included, that the node's inbox accepts, in bytes
 *                       ({@link Inbox#maxFrameLength()}); senders check it before sending.
 *                       {@link Inbox#UNKNOWN_FRAME_LENGTH} if the record does not say (JSON without the field, as an
 *                       older node writes it): senders then rely on the transport's own check.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeRecord(
    String id,
    long pid,
    String transport,
    String address,
    String name,
    long startedMillis,
    List<String> subscriptions,
    List<String> responders,
    int maxFrameLength) {
    /**
     * Validates and copies the lists; a negative {@code maxFrameLength} reads as unknown.
     */
    public NodeRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
        responders = responders == null ? List.of() : List.copyOf(responders);
        if (maxFrameLength < 0) {
            maxFrameLength = Inbox.UNKNOWN_FRAME_LENGTH; // a foreign writer's nonsense: treated as unknown
        }
    }

    /**
     * A record that does not advertise its inbox's frame limit ({@link Inbox#UNKNOWN_FRAME_LENGTH}).
     *
     * @param id            the node id, 16 hex digits.
     * @param pid           the owning process id.
     * @param transport     the transport scheme.
     * @param address       the inbox address.
     * @param name          a human-readable node name.
     * @param startedMillis when the node opened, milliseconds since the epoch.
     * @param subscriptions the topic patterns the node subscribes to.
     * @param responders    the topics the node responds to.
     */
    public NodeRecord(final String id, final long pid, final String transport, final String address,
        final String name, final long startedMillis, final List<String> subscriptions, final List<String> responders) {
        this(id, pid, transport, address, name, startedMillis, subscriptions, responders, Inbox.UNKNOWN_FRAME_LENGTH);
    }

    /**
     * @param newSubscriptions the new subscription patterns.
     * @param newResponders    the new responder topics.
     * @return a copy with the given subscriptions and responders.
     */
    public NodeRecord with(final List<String> newSubscriptions, final List<String> newResponders) {
        return new NodeRecord(id, pid, transport, address, name, startedMillis, newSubscriptions, newResponders,
            maxFrameLength);
    }
}
