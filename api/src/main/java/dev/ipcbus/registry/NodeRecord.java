package dev.ipcbus.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Objects;

/**
 * What the registry knows about one node, as stored in its node file (JSON).
 *
 * @param id            the node id, 16 hex digits.
 * @param pid           the owning process id.
 * @param transport     the transport scheme.
 * @param address       the inbox address for {@link dev.ipcbus.spi.Transport#openOutlet(long, String)}.
 * @param name          a human-readable node name.
 * @param startedMillis when the node opened, milliseconds since the epoch.
 * @param subscriptions the topic patterns the node subscribes to.
 * @param responders    the topics the node responds to.
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
    List<String> responders) {
    /**
     * Validates and copies the lists.
     */
    public NodeRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
        responders = responders == null ? List.of() : List.copyOf(responders);
    }

    /**
     * @param newSubscriptions the new subscription patterns.
     * @param newResponders    the new responder topics.
     * @return a copy with the given subscriptions and responders.
     */
    public NodeRecord with(final List<String> newSubscriptions, final List<String> newResponders) {
        return new NodeRecord(id, pid, transport, address, name, startedMillis, newSubscriptions, newResponders);
    }
}
