// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import java.util.List;
import java.util.Map;

/**
 * What the registry says about one node of a bus, for introspection.
 *
 * @param id            the node id (16 hex digits).
 * @param pid           its process id, or 0 if unknown (a node found dead before it was listed: killed while
 *                      starting).
 * @param name          its human-readable name, or {@code null} if unknown.
 * @param transport     the transport scheme.
 * @param address       its inbox address, or {@code null} if unknown.
 * @param startedMillis when it opened, milliseconds since the epoch.
 * @param subscriptions the patterns it subscribes to.
 * @param responders    the topics it responds to.
 * @param alive         whether its process still holds its registry lock.
 * @param counters      its statistics (frames and bytes sent and received, malformed frames, handler errors,
 *                      backpressure timeouts, requests, replies) and its transport's inbox counters, by name; empty
 *                      for a dead node.
 */
public record NodeInfo(
    String id,
    long pid,
    String name,
    String transport,
    String address,
    long startedMillis,
    List<String> subscriptions,
    List<String> responders,
    boolean alive,
    Map<String, Long> counters) {
}
