// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipcbus.Bus;
import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.Subscription;
import dev.ipcbus.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Joins a local bus (shared memory, pipes: local speed) to a remote one (typically {@code nats://}, across machines)
 * for what is configured explicitly, and nothing else:
 * <ul>
 *   <li><b>export</b> patterns: messages published on the local bus are published on the remote one;</li>
 *   <li><b>import</b> patterns: messages published on the remote bus are published on the local one;</li>
 *   <li><b>export requests</b> (topics): the bridge responds on the remote bus by asking the local bus's
 *       responders;</li>
 *   <li><b>import requests</b> (topics): the bridge responds on the local bus by asking the remote bus's responders,
 *       but only while no other local node responds to the topic: a local responder is preferred (checked when the
 *       bridge starts and then every {@link Builder#responderCheck(Duration) second}).</li>
 * </ul>
 * <b>No loops, no duplicates:</b> the bridge never forwards a message its own node published (its sender is the
 * bridge's node on that bus), so two bridges that import and export the same patterns through one remote bus pass
 * each message once in each direction. A topic is either exported or imported as a request topic, never both.
 * <p>
 * <b>What crosses:</b> typed (JSON) messages with their headers; a raw (non-JSON) message on an exported or imported
 * pattern is reported to the error handler of the bus it came from, and not forwarded. Delivery is what the two
 * buses promise; a forward that fails (the remote bus refused, too large) is reported to the bridge's error handler
 * and counted ({@code failures}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use. The bridge does not own the buses: close them after the bridge.
 */
public final class BusBridge implements AutoCloseable {
    private final Bus local;
    private final Bus remote;
    private final Duration requestTimeout;
    private final ErrorHandler errorHandler;
    private final List<Subscription> registrations = new ArrayList<>();
    private final Map<String, Subscription> importedResponders = new ConcurrentHashMap<>();
    private final Set<String> importRequests;
    private final ScheduledExecutorService checker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder exported = new LongAdder();
    private final LongAdder imported = new LongAdder();
    private final LongAdder requestsExported = new LongAdder();
    private final LongAdder requestsImported = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private BusBridge(final Builder builder) {
        this.local = builder.local;
        this.remote = builder.remote;
        this.requestTimeout = builder.requestTimeout;
        this.errorHandler = builder.errorHandler;
        this.importRequests = Set.copyOf(builder.importRequests);
        try {
            for (final String pattern : builder.exports) {
                registrations.add(forward(local, remote, pattern, exported));
            }
            for (final String pattern : builder.imports) {
                registrations.add(forward(remote, local, pattern, imported));
            }
            for (final String topic : builder.exportRequests) {
                registrations.add(remote.respond(topic, JsonNode.class, (request, context) -> {
                    requestsExported.increment();
                    return local.request(topic, request, JsonNode.class, requestTimeout);
                }));
            }
            checkLocalResponders();
        } catch (final RuntimeException ex) {
            close();
            throw ex;
        }
        if (importRequests.isEmpty()) {
            this.checker = null;
        } else {
            this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                final Thread thread = new Thread(runnable, "ipcbus-bridge-" + local.nodeId());
                thread.setDaemon(true);
                return thread;
            });
            final long period = builder.responderCheck.toMillis();
            checker.scheduleWithFixedDelay(this::checkQuietly, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param local  the local bus.
     * @param remote the remote bus.
     * @return a builder.
     */
    public static Builder builder(final Bus local, final Bus remote) {
        return new Builder(local, remote);
    }

    private Subscription forward(final Bus from, final Bus to, final String pattern, final LongAdder count) {
        final String self = from.nodeId();
        return from.subscribe(pattern, JsonNode.class, (message, context) -> {
            if (self.equals(context.senderNode())) {
                return; // forwarded here by this bridge: never back
            }
            try {
                to.publish(context.topic(), message, context.headers());
                count.increment();
            } catch (final RuntimeException ex) {
                failures.increment();
                errorHandler.onError(new BusException("bridge could not forward: topic=" + context.topic()
                    + ", from=" + from.uri() + ", to=" + to.uri() + ", cause=" + ex.getMessage(), ex));
            }
        });
    }

    /** Responds locally for each imported request topic while no other local node does, and only then. */
    private void checkLocalResponders() {
        if (importRequests.isEmpty() || closed.get()) {
            return;
        }
        final Set<String> servedLocally = new LinkedHashSet<>();
        for (final NodeInfo node : local.nodes()) {
            if (node.alive() && !node.id().equals(local.nodeId())) {
                servedLocally.addAll(node.responders());
            }
        }
        for (final String topic : importRequests) {
            final Subscription current = importedResponders.get(topic);
            if (servedLocally.contains(topic)) {
                if (current != null && importedResponders.remove(topic, current)) {
                    current.close();
                }
            } else if (current == null) {
                importedResponders.put(topic, local.respond(topic, JsonNode.class, (request, context) -> {
                    requestsImported.increment();
                    return remote.request(topic, request, JsonNode.class, requestTimeout);
                }));
            }
        }
    }

    private void checkQuietly() {
        try {
            checkLocalResponders();
        } catch (final RuntimeException ex) {
            if (!closed.get()) {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * @return whether the bridge answers local requests on {@code topic} now (no other local responder).
     * @param topic an imported request topic.
     */
    public boolean respondsLocally(final String topic) {
        return importedResponders.containsKey(topic);
    }

    /**
     * @return messages forwarded each way and requests answered each way, and forwards that failed, by name.
     */
    public Map<String, Long> counters() {
        final Map<String, Long> values = new LinkedHashMap<>();
        values.put("exported", exported.sum());
        values.put("imported", imported.sum());
        values.put("requestsExported", requestsExported.sum());
        values.put("requestsImported", requestsImported.sum());
        values.put("failures", failures.sum());
        return values;
    }

    /**
     * Stops forwarding: unsubscribes and stops responding on both buses. Idempotent; the buses stay open.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (checker != null) {
            checker.shutdownNow();
        }
        for (final Subscription registration : registrations) {
            closeQuietly(registration);
        }
        importedResponders.values().forEach(BusBridge::closeQuietly);
        importedResponders.clear();
    }

    private static void closeQuietly(final Subscription subscription) {
        try {
            subscription.close();
        } catch (final RuntimeException ignored) {
            // the bus is closing too
        }
    }

    @Override
    public String toString() {
        return "BusBridge{local=" + local.uri() + ", remote=" + remote.uri() + "}";
    }

    /**
     * Configures a bridge; {@link #start()} starts it.
     */
    public static final class Builder {
        private final Bus local;
        private final Bus remote;
        private final Set<String> exports = new LinkedHashSet<>();
        private final Set<String> imports = new LinkedHashSet<>();
        private final Set<String> exportRequests = new LinkedHashSet<>();
        private final Set<String> importRequests = new LinkedHashSet<>();
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration responderCheck = Duration.ofSeconds(1);
        private ErrorHandler errorHandler = error -> System.getLogger(BusBridge.class.getName())
            .log(System.Logger.Level.WARNING, error.getMessage());

        private Builder(final Bus local, final Bus remote) {
            this.local = Objects.requireNonNull(local, "local");
            this.remote = Objects.requireNonNull(remote, "remote");
        }

        /**
         * @param patterns local publishes to forward to the remote bus.
         * @return this.
         */
        public Builder exportTopics(final String... patterns) {
            for (final String pattern : patterns) {
                Topics.validatePattern(pattern);
                exports.add(pattern);
            }
            return this;
        }

        /**
         * @param patterns remote publishes to forward to the local bus.
         * @return this.
         */
        public Builder importTopics(final String... patterns) {
            for (final String pattern : patterns) {
                Topics.validatePattern(pattern);
                imports.add(pattern);
            }
            return this;
        }

        /**
         * @param topics request topics the remote bus may ask the local responders.
         * @return this.
         */
        public Builder exportRequests(final String... topics) {
            for (final String topic : topics) {
                Topics.validateTopic(topic);
                exportRequests.add(topic);
            }
            return this;
        }

        /**
         * @param topics request topics the local bus may ask the remote responders (while it has none of its own).
         * @return this.
         */
        public Builder importRequests(final String... topics) {
            for (final String topic : topics) {
                Topics.validateTopic(topic);
                importRequests.add(topic);
            }
            return this;
        }

        /**
         * @param timeout how long a forwarded request waits for its reply (default 30 s).
         * @return this.
         */
        public Builder requestTimeout(final Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param period how often the bridge checks for local responders of imported request topics (default 1 s).
         * @return this.
         */
        public Builder responderCheck(final Duration period) {
            if (period.toMillis() < 10) {
                throw new IllegalArgumentException("responder check period below 10 ms: " + period);
            }
            this.responderCheck = period;
            return this;
        }

        /**
         * @param handler receives forwards that failed (default: logged).
         * @return this.
         */
        public Builder errorHandler(final ErrorHandler handler) {
            this.errorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * @return the running bridge.
         * @throws ConfigurationException if a topic is both exported and imported as a request topic, or nothing is
         *                                configured.
         */
        public BusBridge start() {
            for (final String topic : exportRequests) {
                if (importRequests.contains(topic)) {
                    throw new ConfigurationException("request topic both exported and imported by one bridge (it"
                        + " would answer itself): topic=" + topic);
                }
            }
            if (exports.isEmpty() && imports.isEmpty() && exportRequests.isEmpty() && importRequests.isEmpty()) {
                throw new ConfigurationException("bridge with nothing to forward: give export/import patterns or"
                    + " request topics");
            }
            return new BusBridge(this);
        }
    }
}
