// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusException;
import dev.ipcbus.CodecException;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.Subscription;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.spi.EngineMessage;
import dev.ipcbus.spi.EngineTransport;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.Unpooled;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Request and reply for one node on an engine-routed transport: its responders (the engine picks one responder per
 * request; a handler's failure goes back as a failed reply, {@link EngineMessage#isFailure()}) and its requests in
 * flight (each completes with the decoded reply, or with the exception the reply or the engine calls for). Arguments
 * are validated, and the node checked open, by {@link EngineBus} before they get here.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class EngineRequests {
    private final String nodeHex;
    private final JsonCodec codec;
    private final EngineTransport transport;
    private final EngineCounters counters;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Subscription> responders = new ConcurrentHashMap<>();
    /** Requests awaiting their reply: failed with {@link BusClosedException} when the node closes. */
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();

    /**
     * @param nodeHex   this node's id.
     * @param codec     the codec.
     * @param transport the engine.
     * @param counters  this node's counters.
     * @param clock     the sending time of a message, nanoseconds since the epoch, or 0.
     */
    EngineRequests(
        final String nodeHex,
        final JsonCodec codec,
        final EngineTransport transport,
        final EngineCounters counters,
        final LongSupplier clock) {
        this.nodeHex = nodeHex;
        this.codec = codec;
        this.transport = transport;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * @param topic   the topic.
     * @param type    the request type.
     * @param handler the handler.
     * @return the responder's registration.
     * @throws IllegalStateException if this node already responds to {@code topic}.
     */
    Subscription respond(final String topic, final JavaType type, final RequestHandler<Object> handler) {
        synchronized (responders) {
            if (responders.containsKey(topic)) {
                throw new IllegalStateException("already responding: topic=" + topic + ", node=" + nodeHex);
            }
            final Subscription engine = transport.respond(topic, (request, replier) ->
                answer(topic, type, handler, request, replier));
            final Subscription responder = new EngineRegistration(topic, engine,
                registration -> responders.remove(topic, registration));
            responders.put(topic, responder);
            return responder;
        }
    }

    /**
     * @return the topics this node responds to.
     */
    List<String> responderTopics() {
        return new ArrayList<>(responders.keySet());
    }

    private void answer(
        final String topic,
        final JavaType type,
        final RequestHandler<Object> handler,
        final EngineMessage request,
        final EngineTransport.Replier replier) {
        counters.received(request.body().length);
        final Object result;
        try {
            if (!request.json()) {
                throw new CodecException("raw payload for a typed responder: topic=" + topic);
            }
            result = handler.onRequest(codec.decode(Unpooled.wrappedBuffer(request.body()), type, topic),
                new EngineReceived(request));
        } catch (final Exception ex) {
            replier.reply(failure(topic, ex));
            return;
        }
        ResponderResults.whenDone(result, value -> reply(topic, value, replier),
            cause -> replier.reply(failure(topic, cause)));
    }

    private void reply(final String topic, final Object value, final EngineTransport.Replier replier) {
        final EngineMessage reply;
        try {
            reply = EngineMessage.of(topic, nodeHex, clock.getAsLong(), true, Map.of(), codec.encode(value, topic));
        } catch (final CodecException ex) {
            replier.reply(failure(topic, ex));
            return;
        }
        try {
            replier.reply(reply);
            counters.repliesSent.increment();
        } catch (final BusException ex) {
            // too large for the engine, or the connection is gone: the requester learns it as a failure
            replier.reply(failure(topic, ex));
        }
    }

    private EngineMessage failure(final String topic, final Throwable error) {
        return new EngineMessage(topic, nodeHex, clock.getAsLong(), true, Map.of(), new byte[0],
            error.getClass().getName(), error.getMessage());
    }

    /**
     * Sends a request through the engine.
     *
     * @param topic     the topic.
     * @param request   the request value.
     * @param replyType the reply type.
     * @param timeout   how long to wait for the reply (positive).
     * @param <R>       the reply type.
     * @return completes with the reply, or with the failure.
     */
    <R> CompletableFuture<R> request(
        final String topic, final Object request, final JavaType replyType, final Duration timeout) {
        final CompletableFuture<R> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((value, error) -> pending.remove(result));
        final EngineMessage message;
        try {
            message = EngineMessage.of(topic, nodeHex, clock.getAsLong(), true, Map.of(),
                codec.encode(request, topic));
        } catch (final CodecException ex) {
            result.completeExceptionally(ex);
            return result;
        }
        counters.requestsSent.increment();
        counters.bytesSent.add(message.body().length);
        final Duration capped = Duration.ofNanos(TransportOptions.toNanosCapped(timeout));
        transport.request(message, capped).whenComplete((reply, error) -> {
            if (error != null) {
                final Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
                if (cause instanceof RequestTimeoutException) {
                    counters.requestsTimedOut.increment();
                }
                result.completeExceptionally(cause);
                return;
            }
            counters.received(reply.body().length);
            if (reply.isFailure()) {
                result.completeExceptionally(new ResponderFailedException(topic, reply.senderNode(),
                    reply.errorType(), reply.errorMessage()));
                return;
            }
            try {
                result.complete(codec.decode(Unpooled.wrappedBuffer(reply.body()), replyType, topic));
            } catch (final CodecException ex) {
                result.completeExceptionally(ex);
            }
        });
        return result;
    }

    /**
     * Fails every request still awaiting its reply: the node is closing.
     */
    void failPending() {
        for (final CompletableFuture<?> request : pending) {
            request.completeExceptionally(new BusClosedException("bus closed: node=" + nodeHex));
        }
    }
}
