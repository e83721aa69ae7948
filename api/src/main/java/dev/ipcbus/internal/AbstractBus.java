// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusUri;
import dev.ipcbus.MessageHandler;
import dev.ipcbus.RawMessageHandler;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.Subscription;
import dev.ipcbus.Topics;
import dev.ipcbus.codec.JsonCodec;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every kind of node shares: its identity, its codec, the closed flag, and the typed {@link Bus} overloads,
 * which resolve the Jackson type and check their arguments here, once, before the node's own
 * {@link #addSubscription}, {@link #addResponder} and {@link #request(String, Object, JavaType, Duration)}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
abstract class AbstractBus implements Bus {
    /** The URI the node was opened with. */
    final BusUri uri;
    /** The node id, as 16 hex digits. */
    final String nodeHex;
    /** Encodes and decodes JSON payloads. */
    final JsonCodec codec;
    /** Set once, by {@link #close()}; shared with the node's parts, which refuse work once it is set. */
    final AtomicBoolean closed = new AtomicBoolean();

    AbstractBus(final BusUri uri, final String nodeHex, final JsonCodec codec) {
        this.uri = uri;
        this.nodeHex = nodeHex;
        this.codec = codec;
    }

    /**
     * Adds a subscription; the arguments are checked and the bus was open.
     *
     * @param pattern    a valid pattern.
     * @param type       the message type, or {@code null} for a raw subscription.
     * @param handler    the typed handler, or {@code null} for a raw subscription.
     * @param rawHandler the raw handler, or {@code null}.
     * @param executor   where handlers run, or {@code null} for the delivering thread.
     * @return the subscription.
     */
    abstract Subscription addSubscription(
        String pattern, JavaType type, MessageHandler<Object> handler, RawMessageHandler rawHandler, Executor executor);

    /**
     * Starts responding to a topic; the arguments are checked and the bus was open.
     *
     * @param topic       a valid topic.
     * @param requestType the request type.
     * @param handler     the handler.
     * @return the registration.
     */
    abstract Subscription addResponder(String topic, JavaType requestType, RequestHandler<Object> handler);

    /**
     * Sends a request whose reply type is resolved.
     *
     * @param topic     the topic, not yet validated.
     * @param request   the request.
     * @param replyType the reply type.
     * @param timeout   the timeout, not yet checked.
     * @param <R>       the reply type.
     * @return the reply.
     */
    abstract <R> CompletableFuture<R> request(String topic, Object request, JavaType replyType, Duration timeout);

    @Override
    public final BusUri uri() {
        return uri;
    }

    @Override
    public final String nodeId() {
        return nodeHex;
    }

    @Override
    public final <T> Subscription subscribe(
        final String pattern, final Class<T> type, final MessageHandler<T> handler) {
        return subscribe(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public final <T> Subscription subscribe(
        final String pattern, final TypeReference<T> type, final MessageHandler<T> handler) {
        return subscribe(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public final <T> Subscription subscribe(
        final String pattern, final Class<T> type, final MessageHandler<T> handler, final Executor executor) {
        return subscribe(pattern, codec.type(type), handler, null, Objects.requireNonNull(executor, "executor"));
    }

    @Override
    public final Subscription subscribeRaw(final String pattern, final RawMessageHandler handler) {
        return subscribe(pattern, null, null, Objects.requireNonNull(handler, "handler"), null);
    }

    @SuppressWarnings("unchecked")
    private Subscription subscribe(
        final String pattern,
        final JavaType type,
        final MessageHandler<?> handler,
        final RawMessageHandler rawHandler,
        final Executor executor) {
        Topics.validatePattern(pattern);
        if (rawHandler == null) {
            Objects.requireNonNull(handler, "handler");
        }
        checkOpen();
        return addSubscription(pattern, type, (MessageHandler<Object>)handler, rawHandler, executor);
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <Q> Subscription respond(
        final String topic, final Class<Q> requestType, final RequestHandler<Q> handler) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        return addResponder(topic, codec.type(requestType), (RequestHandler<Object>)handler);
    }

    @Override
    public final <R> CompletableFuture<R> request(
        final String topic, final Object request, final Class<R> replyType, final Duration timeout) {
        return request(topic, request, codec.type(replyType), timeout);
    }

    @Override
    public final <R> CompletableFuture<R> request(
        final String topic, final Object request, final TypeReference<R> replyType, final Duration timeout) {
        return request(topic, request, codec.type(replyType), timeout);
    }

    /**
     * @throws BusClosedException if the node is closed.
     */
    final void checkOpen() {
        if (closed.get()) {
            throw closedException(nodeHex, uri);
        }
    }

    /**
     * @param nodeHex the node.
     * @param uri     its URI.
     * @return the exception for a call on a closed node.
     */
    static BusClosedException closedException(final String nodeHex, final BusUri uri) {
        return new BusClosedException("bus is closed: node=" + nodeHex + ", uri=" + uri);
    }

    @Override
    public final String toString() {
        return "Bus{uri=" + uri + ", node=" + nodeHex + "}";
    }
}
