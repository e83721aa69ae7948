// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.NodeInfo;
import dev.ipcbus.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One node's connection to an engine that routes by topic (see {@link EngineTransportProvider}). The core encodes and
 * decodes bodies, runs handlers and keeps its counters; the engine matches patterns, picks one responder per request
 * and reports "no responders".
 * <p>
 * <b>Delivery:</b> what {@link #publish} returning promises is the engine's own promise and is documented per
 * transport (NATS core: at most once). Every loss the transport can see (a slow consumer's dropped messages, a
 * publish refused while disconnected) is reported to the {@link EngineContext#errorHandler()} and counted in
 * {@link #counters()}, never silent.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use. Listeners and responders are called on the transport's delivery
 * threads, one message at a time per subscription.
 */
public interface EngineTransport extends AutoCloseable {
    /**
     * @return the URI scheme, e.g. {@code "nats"}.
     */
    String scheme();

    /**
     * @return where this node is attached now (for NATS the connected server's URL), for introspection.
     */
    String address();

    /**
     * @return the largest body, headers included, the engine accepts, in bytes.
     */
    int maxMessageLength();

    /**
     * Hands a message to the engine.
     *
     * @param message the message.
     * @throws dev.ipcbus.MessageTooLargeException if it exceeds {@link #maxMessageLength()}.
     * @throws dev.ipcbus.BusException             if the engine client refuses it (closed, disconnected with its
     *                                             buffer full).
     */
    void publish(EngineMessage message);

    /**
     * Subscribes to a pattern (same syntax as the bus: {@code *} one token, {@code >} the rest).
     *
     * @param pattern  the validated pattern.
     * @param listener called for every matching message.
     * @return the registration; closing it stops delivery.
     */
    Subscription subscribe(String pattern, Consumer<EngineMessage> listener);

    /**
     * Answers requests on one topic; the engine gives each request to one of the responders of the bus.
     *
     * @param topic     the validated topic.
     * @param responder called for every request; replies through its {@code Replier}, at most once.
     * @return the registration.
     */
    Subscription respond(String topic, Responder responder);

    /**
     * Sends a request to one responder and waits for its reply.
     *
     * @param request the request.
     * @param timeout how long to wait for the reply.
     * @return completes with the reply (possibly a failed one: {@link EngineMessage#isFailure()}), or exceptionally
     * with {@link dev.ipcbus.NoResponderException} (nobody responds to the topic: known at once),
     * {@link dev.ipcbus.RequestTimeoutException} or another {@link dev.ipcbus.BusException}.
     */
    CompletableFuture<EngineMessage> request(EngineMessage request, Duration timeout);

    /**
     * Lists the nodes of this bus that answer the engine's introspection service within the timeout.
     *
     * @param timeout how long to collect answers.
     * @return the nodes, this one included.
     */
    List<NodeInfo> nodes(Duration timeout);

    /**
     * @return the transport's own counters (e.g. messages lost as a slow consumer, reconnects), by name.
     */
    Map<String, Long> counters();

    /**
     * Drains what the engine client buffered, within a bounded time, and disconnects. Idempotent.
     */
    @Override
    void close();

    /**
     * Answers one request.
     */
    @FunctionalInterface
    interface Responder {
        /**
         * @param request the request.
         * @param replier sends the reply; may be called later, from another thread.
         */
        void onRequest(EngineMessage request, Replier replier);
    }

    /**
     * Sends the reply to one request.
     */
    @FunctionalInterface
    interface Replier {
        /**
         * @param reply the reply, or a failed reply ({@link EngineMessage#errorType()} set).
         */
        void reply(EngineMessage reply);
    }
}
