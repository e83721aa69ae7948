package dev.ipcbus.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.BusUri;
import dev.ipcbus.CodecException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.MessageContext;
import dev.ipcbus.MessageHandler;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.RawMessageHandler;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.Subscription;
import dev.ipcbus.Topics;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.spi.EngineContext;
import dev.ipcbus.spi.EngineMessage;
import dev.ipcbus.spi.EngineTransport;
import dev.ipcbus.spi.EngineTransportProvider;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bus core over an engine-routed transport ({@link EngineTransport}, e.g. NATS): one node that owns no inbox and
 * no registry entry. Publishing hands one message to the engine, which routes it to every matching subscription of
 * every node; requests go to the engine, which picks one responder and says at once when there is none.
 * <p>
 * What stays here, as in {@link BusNode}: the codec, typed and raw handlers (on the transport's delivery thread or
 * an executor), failures of subscribers reported to the error handler and counted, responder failures sent back as
 * failed replies, and this node's counters.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class EngineBus implements Bus {
    /** How long {@link #nodes()} collects the answers of the bus's nodes. */
    static final Duration NODES_TIMEOUT = Duration.ofMillis(500);

    private final BusUri uri;
    private final String nodeHex;
    private final String nodeName;
    private final long startedMillis = System.currentTimeMillis();
    private final JsonCodec codec;
    private final ErrorHandler errorHandler;
    private final boolean timestamps;
    private final EngineTransport transport;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Subscription> responders = new ConcurrentHashMap<>();
    /** Requests awaiting their reply: failed with {@link BusClosedException} when the bus closes. */
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> counters = new LinkedHashMap<>();
    // The names of NodeCounters: one vocabulary for every transport (a frame here is one engine message).
    private final LongAdder published = counter("framesSent");
    private final LongAdder bytesSent = counter("bytesSent");
    private final LongAdder received = counter("framesReceived");
    private final LongAdder bytesReceived = counter("bytesReceived");
    private final LongAdder handlerErrors = counter("handlerErrors");
    private final LongAdder requestsSent = counter("requestsSent");
    private final LongAdder requestsTimedOut = counter("requestsTimedOut");
    private final LongAdder repliesSent = counter("repliesSent");

    /**
     * @param uri       the bus URI.
     * @param nodeHex   this node's id.
     * @param nodeName  this node's name.
     * @param codec     the codec.
     * @param options   the URI's options (the core's are read here).
     * @param handler   where failures go.
     * @param connector connects the transport, given this node's introspection view.
     */
    EngineBus(
        final BusUri uri,
        final String nodeHex,
        final String nodeName,
        final JsonCodec codec,
        final TransportOptions options,
        final ErrorHandler handler,
        final Function<Supplier<NodeInfo>, EngineTransport> connector) {
        this.uri = uri;
        this.nodeHex = nodeHex;
        this.nodeName = nodeName;
        this.codec = codec;
        this.errorHandler = handler;
        this.timestamps = Boolean.parseBoolean(options.string("timestamps", "true", "true", "false"));
        this.transport = connector.apply(this::self);
    }

    /**
     * Opens a node on an engine-routed transport.
     *
     * @param config   the configuration.
     * @param provider the scheme's provider.
     * @return the open node.
     */
    static Bus open(final BusConfig config, final EngineTransportProvider provider) {
        final BusUri uri = config.uri();
        final String nodeHex = NodeIds.format(NodeIds.next());
        final String nodeName = BusNode.nodeName(config);
        final ErrorHandler handler = BusNode.errorHandler(config);
        final JsonCodec codec = new JsonCodec(config.objectMapper() != null ? config.objectMapper()
            : JsonCodec.defaultMapper());
        final TransportOptions options = new TransportOptions(uri.options());
        return new EngineBus(uri, nodeHex, nodeName, codec, options, handler, self -> {
            final EngineTransport transport = provider.createEngine(new EngineContext(uri.busName(), uri.servers(),
                options, nodeHex, nodeName, handler, self));
            try {
                options.checkAllRead(uri.scheme());
            } catch (final RuntimeException ex) {
                transport.close();
                throw ex;
            }
            return transport;
        });
    }

    private LongAdder counter(final String name) {
        final LongAdder adder = new LongAdder();
        counters.put(name, adder);
        return adder;
    }

    @Override
    public BusUri uri() {
        return uri;
    }

    @Override
    public String nodeId() {
        return nodeHex;
    }

    @Override
    public int maxFrameLength() {
        return transport.maxMessageLength();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Publishing

    @Override
    public void publish(final String topic, final Object message) {
        publish(topic, message, Map.of());
    }

    @Override
    public void publish(final String topic, final Object message, final Map<String, String> headers) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(headers, "headers");
        checkOpen();
        send(EngineMessage.of(topic, nodeHex, timestamp(), true, Map.copyOf(headers), encode(message, topic)));
    }

    @Override
    public void publishRaw(final String topic, final ByteBuf payload) {
        publishRaw(topic, ByteBufUtil.getBytes(payload));
    }

    @Override
    public void publishRaw(final String topic, final byte[] payload) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(payload, "payload");
        checkOpen();
        send(EngineMessage.of(topic, nodeHex, timestamp(), false, Map.of(), payload));
    }

    private void send(final EngineMessage message) {
        transport.publish(message);
        published.increment();
        bytesSent.add(message.body().length);
    }

    private byte[] encode(final Object value, final String topic) {
        final ByteBuf buffer = Unpooled.buffer(256);
        try {
            codec.encode(value, buffer, topic);
            return ByteBufUtil.getBytes(buffer);
        } finally {
            buffer.release();
        }
    }

    private long timestamp() {
        return timestamps ? EpochClock.nanos() : 0;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BusClosedException("bus closed: node=" + nodeHex + ", bus=" + uri);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Subscribing

    @Override
    public <T> Subscription subscribe(final String pattern, final Class<T> type, final MessageHandler<T> handler) {
        return subscribe(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public <T> Subscription subscribe(
        final String pattern, final TypeReference<T> type, final MessageHandler<T> handler) {
        return subscribe(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public <T> Subscription subscribe(
        final String pattern, final Class<T> type, final MessageHandler<T> handler, final Executor executor) {
        return subscribe(pattern, codec.type(type), handler, null, Objects.requireNonNull(executor, "executor"));
    }

    @Override
    public Subscription subscribeRaw(final String pattern, final RawMessageHandler handler) {
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
        final MessageHandler<Object> typed = (MessageHandler<Object>)handler;
        final Subscription engine = transport.subscribe(pattern, message -> {
            received.increment();
            bytesReceived.add(message.body().length);
            final MessageContext context = new EngineReceived(message);
            final Runnable delivery = () -> deliver(pattern, message, context, type, typed, rawHandler);
            if (executor == null) {
                delivery.run();
            } else {
                try {
                    executor.execute(delivery);
                } catch (final RuntimeException ex) {
                    reportHandlerError(pattern, message.topic(), ex);
                }
            }
        });
        final Subscription subscription = new Registration(pattern, engine, subscriptions);
        subscriptions.add(subscription);
        return subscription;
    }

    private void deliver(
        final String pattern,
        final EngineMessage message,
        final MessageContext context,
        final JavaType type,
        final MessageHandler<Object> handler,
        final RawMessageHandler rawHandler) {
        try {
            if (rawHandler != null) {
                rawHandler.onMessage(Unpooled.wrappedBuffer(message.body()), context);
                return;
            }
            if (!message.json()) {
                throw new CodecException("raw payload for a typed subscription: topic=" + message.topic()
                    + ", pattern=" + pattern + ", type=" + type);
            }
            handler.onMessage(codec.decode(Unpooled.wrappedBuffer(message.body()), type, message.topic()), context);
        } catch (final Exception ex) {
            reportHandlerError(pattern, message.topic(), ex);
        }
    }

    private void reportHandlerError(final String pattern, final String topic, final Exception ex) {
        handlerErrors.increment();
        errorHandler.onError(ex instanceof CodecException ? ex : new BusException("subscriber failed: pattern="
            + pattern + ", topic=" + topic + ", error=" + ex, ex));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Request and reply

    @Override
    public <Q> Subscription respond(final String topic, final Class<Q> requestType, final RequestHandler<Q> handler) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        final JavaType type = codec.type(requestType);
        @SuppressWarnings("unchecked")
        final RequestHandler<Object> untyped = (RequestHandler<Object>)handler;
        synchronized (responders) {
            if (responders.containsKey(topic)) {
                throw new IllegalStateException("already responding: topic=" + topic + ", node=" + nodeHex);
            }
            final Subscription engine = transport.respond(topic, (request, replier) ->
                answer(topic, type, untyped, request, replier));
            final Subscription responder = new Registration(topic, engine, null) {
                @Override
                public void close() {
                    super.close();
                    responders.remove(topic, this);
                }
            };
            responders.put(topic, responder);
            return responder;
        }
    }

    private void answer(
        final String topic,
        final JavaType type,
        final RequestHandler<Object> handler,
        final EngineMessage request,
        final EngineTransport.Replier replier) {
        received.increment();
        bytesReceived.add(request.body().length);
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
            reply = EngineMessage.of(topic, nodeHex, timestamp(), true, Map.of(), encode(value, topic));
        } catch (final CodecException ex) {
            replier.reply(failure(topic, ex));
            return;
        }
        try {
            replier.reply(reply);
            repliesSent.increment();
        } catch (final BusException ex) {
            // too large for the engine, or the connection is gone: the requester learns it as a failure
            replier.reply(failure(topic, ex));
        }
    }

    private EngineMessage failure(final String topic, final Throwable error) {
        return new EngineMessage(topic, nodeHex, timestamp(), true, Map.of(), new byte[0], error.getClass().getName(),
            error.getMessage());
    }

    @Override
    public <R> CompletableFuture<R> request(
        final String topic, final Object request, final Class<R> replyType, final Duration timeout) {
        return request(topic, request, codec.type(replyType), timeout);
    }

    @Override
    public <R> CompletableFuture<R> request(
        final String topic, final Object request, final TypeReference<R> replyType, final Duration timeout) {
        return request(topic, request, codec.type(replyType), timeout);
    }

    private <R> CompletableFuture<R> request(
        final String topic, final Object request, final JavaType replyType, final Duration timeout) {
        Topics.validateTopic(topic);
        ResponderResults.checkTimeout(timeout);
        checkOpen();
        final CompletableFuture<R> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((value, error) -> pending.remove(result));
        final EngineMessage message;
        try {
            message = EngineMessage.of(topic, nodeHex, timestamp(), true, Map.of(), encode(request, topic));
        } catch (final CodecException ex) {
            result.completeExceptionally(ex);
            return result;
        }
        requestsSent.increment();
        bytesSent.add(message.body().length);
        final Duration capped = Duration.ofNanos(TransportOptions.toNanosCapped(timeout));
        transport.request(message, capped).whenComplete((reply, error) -> {
            if (error != null) {
                final Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
                if (cause instanceof RequestTimeoutException) {
                    requestsTimedOut.increment();
                }
                result.completeExceptionally(cause);
                return;
            }
            received.increment();
            bytesReceived.add(reply.body().length);
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

    // ---------------------------------------------------------------------------------------------------------------
    // Introspection and lifecycle

    @Override
    public List<NodeInfo> nodes() {
        checkOpen();
        return transport.nodes(NODES_TIMEOUT);
    }

    /** This node as the engine's introspection service reports it. */
    private NodeInfo self() {
        final List<String> patterns = new ArrayList<>();
        for (final Subscription subscription : subscriptions) {
            if (!patterns.contains(subscription.pattern())) {
                patterns.add(subscription.pattern());
            }
        }
        final Map<String, Long> values = new LinkedHashMap<>();
        counters.forEach((name, adder) -> values.put(name, adder.sum()));
        if (transport != null) {
            values.putAll(transport.counters());
        }
        return new NodeInfo(nodeHex, ProcessHandle.current().pid(), nodeName, uri.scheme(),
            transport != null ? transport.address() : uri.servers(),
            startedMillis, patterns, new ArrayList<>(responders.keySet()), !closed.get(), values);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (final CompletableFuture<?> request : pending) {
            request.completeExceptionally(new BusClosedException("bus closed: node=" + nodeHex));
        }
        transport.close();
    }

    @Override
    public String toString() {
        return "Bus{uri=" + uri + ", node=" + nodeHex + "}";
    }

    /** A subscription or responder: closing it closes the engine's registration once. */
    private static class Registration implements Subscription {
        private final String pattern;
        private final Subscription engine;
        private final List<Subscription> list;
        private final AtomicBoolean active = new AtomicBoolean(true);

        Registration(final String pattern, final Subscription engine, final List<Subscription> list) {
            this.pattern = pattern;
            this.engine = engine;
            this.list = list;
        }

        @Override
        public String pattern() {
            return pattern;
        }

        @Override
        public void close() {
            if (active.compareAndSet(true, false)) {
                if (list != null) {
                    list.remove(this);
                }
                engine.close();
            }
        }
    }

    /** The context of a message received from the engine; immutable. */
    private record EngineReceived(EngineMessage message) implements MessageContext {
        /** The engine correlates requests and replies itself: the bus's correlation id is not used. */
        @Override
        public long correlationId() {
            return 0;
        }

        @Override
        public String topic() {
            return message.topic();
        }

        @Override
        public String senderNode() {
            return message.senderNode();
        }

        @Override
        public long timestampNanos() {
            return message.timestampNanos();
        }

        @Override
        public Map<String, String> headers() {
            return message.headers();
        }

        @Override
        public MessageContext copy() {
            return this;
        }
    }
}
