// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.MessageHandler;
import dev.ipcbus.RawMessageHandler;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.Subscription;
import dev.ipcbus.Topics;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.registry.NodeRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node's subscriptions and responders, and its registry record, which lists them: every change rewrites the record
 * before it returns, so that it is visible to every node when the call returns. The receive thread finds the
 * subscriptions matching a topic here, cached per topic until the subscriptions change.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; changes are serialized by one lock (never taken on the receive path).
 */
final class Registrations {
    /** Topics whose matches are kept; beyond this, they are computed per frame (bounded memory). */
    private static final int MAX_CACHED_TOPICS = 4096;
    private static final LocalSubscription[] NONE = new LocalSubscription[0];

    private final String nodeHex;
    private final NodeRegistry registry;
    private final NodeRecord baseRecord;
    private final AtomicBoolean closed;
    private final Object lock = new Object();
    private final CopyOnWriteArrayList<LocalSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, LocalSubscription[]> matches = new ConcurrentHashMap<>();
    /** Bumped (under {@link #lock}) after every change of {@link #subscriptions}. */
    private volatile long version;
    private final ConcurrentHashMap<String, LocalResponder> responders = new ConcurrentHashMap<>();

    /**
     * @param node   the node's parts.
     * @param closed the node's closed flag: the record is not rewritten once it is set.
     */
    Registrations(final NodeAssembly node, final AtomicBoolean closed) {
        this.nodeHex = node.nodeHex();
        this.registry = node.registry();
        this.baseRecord = node.baseRecord();
        this.closed = closed;
    }

    /**
     * Adds a subscription and lists its pattern in the registry.
     *
     * @param pattern    a valid pattern.
     * @param type       the message type, or {@code null} for a raw subscription.
     * @param handler    the typed handler, or {@code null}.
     * @param rawHandler the raw handler, or {@code null}.
     * @param executor   where handlers run, or {@code null} for the receive thread.
     * @return the subscription.
     */
    Subscription subscribe(final String pattern, final JavaType type, final MessageHandler<Object> handler,
        final RawMessageHandler rawHandler, final Executor executor) {
        final LocalSubscription subscription = new LocalSubscription(pattern, type, handler, rawHandler, executor);
        synchronized (lock) {
            subscriptions.add(subscription);
            subscriptionsChanged();
        }
        return subscription;
    }

    /**
     * Adds a responder and lists its topic in the registry.
     *
     * @param topic   a valid topic.
     * @param type    the request type.
     * @param handler the handler.
     * @return the registration.
     * @throws IllegalStateException if this node responds to the topic already.
     */
    Subscription respond(final String topic, final JavaType type, final RequestHandler<Object> handler) {
        final LocalResponder responder = new LocalResponder(topic, type, handler);
        synchronized (lock) {
            if (responders.putIfAbsent(topic, responder) != null) {
                throw new IllegalStateException("already responding: topic=" + topic + ", node=" + nodeHex);
            }
            publishRecord();
        }
        return responder;
    }

    /**
     * @param topic a topic.
     * @return this node's responder to it, or {@code null}.
     */
    LocalResponder responder(final String topic) {
        return responders.get(topic);
    }

    /**
     * The receive thread's matches for a cached topic: kept on its entry until the subscriptions change.
     *
     * @param entry the topic's entry in the receive thread's cache.
     * @return the matching subscriptions.
     */
    LocalSubscription[] matching(final TopicCache.Entry entry) {
        final long current = version;
        if (entry.attachmentVersion != current) {
            entry.attachment = matching(entry.topic);
            entry.attachmentVersion = current;
        }
        return (LocalSubscription[])entry.attachment;
    }

    private LocalSubscription[] matching(final String topic) {
        final LocalSubscription[] cached = matches.get(topic);
        if (cached != null) {
            return cached;
        }
        final List<LocalSubscription> found = new ArrayList<>();
        for (final LocalSubscription subscription : subscriptions) {
            if (Topics.matches(subscription.pattern, topic)) {
                found.add(subscription);
            }
        }
        final LocalSubscription[] result = found.toArray(NONE);
        if (matches.size() < MAX_CACHED_TOPICS) {
            matches.put(topic, result);
        }
        return result;
    }

    /** Caller holds {@link #lock}. */
    private void subscriptionsChanged() {
        matches.clear();
        version++;
        publishRecord();
    }

    /** Rewrites this node's registry record; caller holds {@link #lock}. */
    private void publishRecord() {
        if (closed.get()) {
            return;
        }
        final List<String> patterns = new ArrayList<>();
        for (final LocalSubscription subscription : subscriptions) {
            if (!patterns.contains(subscription.pattern)) {
                patterns.add(subscription.pattern);
            }
        }
        registry.update(baseRecord.with(patterns, new ArrayList<>(responders.keySet())));
    }

    /** One subscription: its pattern, and either a typed handler with its type or a raw handler. */
    final class LocalSubscription implements Subscription {
        final String pattern;
        final JavaType type;
        final MessageHandler<Object> handler;
        final RawMessageHandler rawHandler;
        final Executor executor;
        volatile boolean active = true;

        LocalSubscription(
            final String pattern,
            final JavaType type,
            final MessageHandler<Object> handler,
            final RawMessageHandler rawHandler,
            final Executor executor) {
            this.pattern = pattern;
            this.type = type;
            this.handler = handler;
            this.rawHandler = rawHandler;
            this.executor = executor;
        }

        @Override
        public String pattern() {
            return pattern;
        }

        @Override
        public void close() {
            if (!active) {
                return;
            }
            active = false;
            synchronized (lock) {
                subscriptions.remove(this);
                subscriptionsChanged();
            }
        }
    }

    /** One responder: its topic, request type and handler. */
    final class LocalResponder implements Subscription {
        final String topic;
        final JavaType type;
        final RequestHandler<Object> handler;

        LocalResponder(final String topic, final JavaType type, final RequestHandler<Object> handler) {
            this.topic = topic;
            this.type = type;
            this.handler = handler;
        }

        @Override
        public String pattern() {
            return topic;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (responders.remove(topic, this)) {
                    publishRecord();
                }
            }
        }
    }
}
