// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ipcbus.internal.BusNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One node on a message bus shared by processes of one machine: publish/subscribe and request/reply of
 * Jackson-serializable objects (or raw bytes), carried by the transport the URI names.
 * <pre>{@code
 * try (Bus bus = Bus.open("filemap://shop")) {
 *     bus.subscribe("orders.>", Order.class, (order, ctx) -> System.out.println(ctx.topic() + " " + order));
 *     bus.respond("stock.check", StockQuery.class, (query, ctx) -> new StockLevel(query.sku(), 7));
 *     bus.publish("orders.eu.created", new Order("A-1", 3));
 *     StockLevel level = bus.request("stock.check", new StockQuery("A-1"), StockLevel.class,
 *         Duration.ofSeconds(1)).join();
 * }
 * }</pre>
 * <h2>Delivery</h2>
 * A publish reaches every live node with a matching subscription, this node included, before {@code publish}
 * returns (it is in their inboxes) or the caller gets an exception. Messages from one publishing thread arrive at each
 * subscriber in the order published. A request goes to one live responder for its topic (round robin); with none it
 * fails at once with {@link NoResponderException}.
 * <h2>Threading</h2>
 * Each node has one receive thread. Handlers run on it, one at a time, in arrival order, unless the subscription was
 * given an {@link Executor}. A slow handler therefore delays every other handler of this node, and once the inbox is
 * full it makes publishers wait (up to their publish timeout, then {@link BackpressureTimeoutException}). Never wait
 * for a request's reply inside a handler on the receive thread: the reply arrives on that same thread; compose the
 * future instead, or give the subscription an executor.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface Bus extends AutoCloseable {
    /**
     * Opens a node on the bus configured by the environment: the system property {@code ipcbus.uri}, else the
     * environment variable {@code IPCBUS_URI}, else {@code ipcbus.uri} in {@code ipcbus.properties} on the class path,
     * else {@value BusConfig#DEFAULT_URI}.
     *
     * @return the open node.
     * @throws ConfigurationException        if the URI or an option is invalid, or no transport serves its scheme.
     * @throws TransportUnavailableException if the transport cannot run on this OS.
     */
    static Bus open() {
        return open(BusConfig.builder().build());
    }

    /**
     * Opens a node on the bus at {@code uri}, e.g. {@code "filemap://shop"}.
     *
     * @param uri the bus URI.
     * @return the open node.
     * @throws ConfigurationException        if the URI or an option is invalid, or no transport serves its scheme.
     * @throws TransportUnavailableException if the transport cannot run on this OS.
     */
    static Bus open(final String uri) {
        return open(BusConfig.builder().uri(uri).build());
    }

    /**
     * Opens a node with a full configuration.
     *
     * @param config the configuration.
     * @return the open node.
     * @throws ConfigurationException        if the URI or an option is invalid, or no transport serves its scheme.
     * @throws TransportUnavailableException if the transport cannot run on this OS.
     */
    static Bus open(final BusConfig config) {
        return BusNode.open(config);
    }

    /**
     * @return the URI this node was opened with.
     */
    BusUri uri();

    /**
     * @return this node's id (16 hex digits), as other nodes see it in {@link MessageContext#senderNode()}.
     */
    String nodeId();

    /**
     * @return the largest frame this node's transport carries; a message's frame is its payload plus a header
     * ({@link dev.ipcbus.frame.FrameDescriptor#FIXED_LENGTH} to
     * {@link dev.ipcbus.frame.FrameDescriptor#MAX_HEADER_LENGTH} bytes) + topic bytes + headers bytes
     * (docs/PROTOCOL.md).
     */
    int maxFrameLength();

    /**
     * Publishes a message to every node subscribed to a matching pattern. With no matching subscriber anywhere it
     * returns at once, without serializing the message.
     *
     * @param topic   the topic, see {@link Topics}.
     * @param message any Jackson-serializable value.
     * @throws IllegalArgumentException     if the topic is invalid.
     * @throws CodecException               if Jackson cannot serialize the message.
     * @throws MessageTooLargeException     if the frame exceeds {@link #maxFrameLength()}.
     * @throws BackpressureTimeoutException if a subscriber's inbox stayed full past the publish timeout; the nodes
     *                                      listed before it got the message.
     * @throws BusException                 if a subscriber is alive but cannot be reached (after the others were
     *                                      served).
     * @throws BusClosedException           if the bus is closed.
     */
    default void publish(final String topic, final Object message) {
        publish(topic, message, Map.of());
    }

    /**
     * Publishes a message with headers.
     *
     * @param topic   the topic.
     * @param message any Jackson-serializable value.
     * @param headers header names to values, carried as UTF-8.
     * @see #publish(String, Object)
     */
    void publish(String topic, Object message, Map<String, String> headers);

    /**
     * Publishes bytes the caller serialized; no codec on the path, no allocation in steady state.
     * <p>
     * <b>Ownership:</b> borrows {@code payload} (caller keeps ownership); its readable bytes are sent and its indexes
     * are left unchanged.
     *
     * @param topic   the topic.
     * @param payload the payload.
     * @see #publish(String, Object)
     */
    void publishRaw(String topic, ByteBuf payload);

    /**
     * Publishes bytes the caller serialized.
     *
     * @param topic   the topic.
     * @param payload the payload; not retained.
     * @see #publish(String, Object)
     */
    default void publishRaw(final String topic, final byte[] payload) {
        publishRaw(topic, Unpooled.wrappedBuffer(payload));
    }

    /**
     * Publishes bytes the caller serialized, for callers that do not use Netty: the buffer's remaining bytes are sent
     * and its position is left unchanged. Wrapping costs one small object per call;
     * {@link #publishRaw(String, ByteBuf)} is the zero-allocation path.
     *
     * @param topic   the topic.
     * @param payload the payload; not retained.
     * @see #publishRaw(String, ByteBuf)
     */
    default void publishRaw(final String topic, final ByteBuffer payload) {
        publishRaw(topic, Unpooled.wrappedBuffer(payload.duplicate()));
    }

    /**
     * Subscribes to messages whose topic matches {@code pattern}, deserialized into {@code type}. The subscription is
     * visible to every node before this method returns.
     *
     * @param pattern the topic pattern, see {@link Topics}.
     * @param type    the message type.
     * @param handler runs on the receive thread.
     * @param <T>     the message type.
     * @return the subscription; close it to unsubscribe.
     * @throws IllegalArgumentException if the pattern is invalid.
     * @throws BusClosedException       if the bus is closed.
     */
    <T> Subscription subscribe(String pattern, Class<T> type, MessageHandler<T> handler);

    /**
     * Subscribes with a generic type, e.g. {@code new TypeReference<List<Order>>() {}}.
     *
     * @param pattern the topic pattern.
     * @param type    the message type.
     * @param handler runs on the receive thread.
     * @param <T>     the message type.
     * @return the subscription.
     * @see #subscribe(String, Class, MessageHandler)
     */
    <T> Subscription subscribe(String pattern, TypeReference<T> type, MessageHandler<T> handler);

    /**
     * Subscribes with handlers run on {@code executor}: messages are deserialized on the receive thread, then handed
     * to the executor with a copy of their context. Order is then up to the executor (a single-thread executor keeps
     * it).
     *
     * @param pattern  the topic pattern.
     * @param type     the message type.
     * @param handler  runs on {@code executor}.
     * @param executor where the handler runs.
     * @param <T>      the message type.
     * @return the subscription.
     * @see #subscribe(String, Class, MessageHandler)
     */
    <T> Subscription subscribe(String pattern, Class<T> type, MessageHandler<T> handler, Executor executor);

    /**
     * Subscribes to raw payloads, with no codec on the path.
     *
     * @param pattern the topic pattern.
     * @param handler runs on the receive thread.
     * @return the subscription.
     * @see #subscribe(String, Class, MessageHandler)
     */
    Subscription subscribeRaw(String pattern, RawMessageHandler handler);

    /**
     * Sends a request to one live responder of {@code topic} and returns its reply.
     * <p>
     * A responder found dead before the request reached its inbox is skipped for the next live one. The future fails
     * with {@link NoResponderException} at once if no live node responds to the topic,
     * {@link RequestTimeoutException} after {@code timeout}, {@link ResponderFailedException} if the responder threw,
     * {@link ResponderGoneException} if it died after the request reached its inbox, {@link CodecException} if the
     * reply does not deserialize, {@link BackpressureTimeoutException} if its inbox stayed full, or
     * {@link BusClosedException} if this bus closes.
     *
     * @param topic     an exact topic (no wildcards).
     * @param request   any Jackson-serializable value.
     * @param replyType the reply type.
     * @param timeout   how long to wait for the reply; positive. One longer than
     *                  {@link dev.ipcbus.spi.TransportOptions#MAX_DURATION} (about 73 years), such as
     *                  {@code Duration.ofSeconds(Long.MAX_VALUE)}, counts as that long.
     * @param <R>       the reply type.
     * @return the reply, completed on the receive thread (compose with {@code *Async} methods to move off it).
     * @throws IllegalArgumentException if the topic is invalid or the timeout is not positive.
     * @throws BusClosedException       if the bus is closed.
     */
    <R> CompletableFuture<R> request(String topic, Object request, Class<R> replyType, Duration timeout);

    /**
     * Sends a request whose reply has a generic type.
     *
     * @param topic     an exact topic.
     * @param request   any Jackson-serializable value.
     * @param replyType the reply type.
     * @param timeout   how long to wait for the reply.
     * @param <R>       the reply type.
     * @return the reply.
     * @see #request(String, Object, Class, Duration)
     */
    <R> CompletableFuture<R> request(String topic, Object request, TypeReference<R> replyType, Duration timeout);

    /**
     * Answers requests on {@code topic}. Several nodes may respond to one topic; requests are spread round robin.
     * Visible to every node before this method returns.
     *
     * @param topic       an exact topic (no wildcards); one responder per topic per node.
     * @param requestType the request type.
     * @param handler     runs on the receive thread; returns the reply or a {@code CompletionStage} of it.
     * @param <Q>         the request type.
     * @return the registration; close it to stop responding.
     * @throws IllegalArgumentException if the topic is invalid.
     * @throws IllegalStateException    if this node already responds to the topic.
     * @throws BusClosedException       if the bus is closed.
     */
    <Q> Subscription respond(String topic, Class<Q> requestType, RequestHandler<Q> handler);

    /**
     * Lists the nodes of this bus (this one included), checking each one's liveness; nodes found dead are reclaimed
     * on the way and listed with {@code alive == false}.
     *
     * @return the nodes, in no particular order.
     * @throws BusClosedException if the bus is closed.
     */
    List<NodeInfo> nodes();

    /**
     * This node's counters, as {@link #nodes()} and {@code ipcbus-demo stat} report them for it (frames and bytes sent
     * and received, malformed frames, handler errors, backpressure timeouts, requests, replies, and the transport's
     * inbox counters), read without listing the other nodes: cheap enough for a metrics scrape.
     *
     * @return counter name to value, a snapshot in a stable order.
     * @throws BusClosedException if the bus is closed.
     */
    Map<String, Long> counters();

    /**
     * Leaves the bus: removes this node from the registry, fails pending requests with {@link BusClosedException},
     * releases blocked publishers, stops the receive thread and frees the inbox. Idempotent.
     */
    @Override
    void close();
}
