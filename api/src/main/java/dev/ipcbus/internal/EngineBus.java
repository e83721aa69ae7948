// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.Bus;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bus core over an engine-routed transport ({@link EngineTransport}, e.g. NATS): one node that owns no inbox and
 * no registry entry. Publishing hands one message to the engine, which routes it to every matching subscription of
 * every node; requests go to the engine, which picks one responder and says at once when there is none.
 * <p>
 * Here: the lifecycle, publishing, and subscriptions with their handlers (on the transport's delivery thread or an
 * executor; a subscriber's failure is reported to the error handler and counted). The typed overloads are
 * {@link AbstractBus}'; request and reply {@link EngineRequests}'; the counters {@link EngineCounters}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class EngineBus extends AbstractBus {
    /** How long {@link #nodes()} collects the answers of the bus's nodes. */
    static final Duration NODES_TIMEOUT = Duration.ofMillis(500);

    private final String nodeName;
    private final long startedMillis = System.currentTimeMillis();
    private final ErrorHandler errorHandler;
    private final CoreOptions options;
    private final EngineTransport transport;
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final EngineCounters counters = new EngineCounters();
    private final EngineRequests requests;

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
        super(uri, nodeHex, codec);
        this.nodeName = nodeName;
        this.errorHandler = handler;
        this.options = CoreOptions.forEngineNode(options);
        this.transport = connector.apply(this::self);
        this.requests = new EngineRequests(nodeHex, codec, transport, counters, this.options::timestamp);
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
        final String nodeName = NodeAssembly.nodeName(config);
        final ErrorHandler handler = NodeAssembly.errorHandler(config);
        final JsonCodec codec = NodeAssembly.codec(config);
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

    @Override
    public int maxFrameLength() {
        return transport.maxMessageLength();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Publishing

    @Override
    public void publish(final String topic, final Object message, final Map<String, String> headers) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(headers, "headers");
        checkOpen();
        send(EngineMessage.of(topic, nodeHex, options.timestamp(), true, Map.copyOf(headers),
            codec.encode(message, topic)));
    }

    @Override
    public void publishRaw(final String topic, final ByteBuf payload) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(payload, "payload");
        checkOpen();
        // A copy: the engine may still hold the body after this returns, and the caller keeps (and reuses) the payload.
        send(EngineMessage.of(topic, nodeHex, options.timestamp(), false, Map.of(), ByteBufUtil.getBytes(payload)));
    }

    private void send(final EngineMessage message) {
        transport.publish(message);
        counters.framesSent.increment();
        counters.bytesSent.add(message.body().length);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Subscribing

    @Override
    Subscription addSubscription(
        final String pattern,
        final JavaType type,
        final MessageHandler<Object> handler,
        final RawMessageHandler rawHandler,
        final Executor executor) {
        final Subscription engine = transport.subscribe(pattern, message -> {
            counters.received(message.body().length);
            final MessageContext context = new EngineReceived(message);
            final Runnable delivery = () -> deliver(pattern, message, context, type, handler, rawHandler);
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
        final Subscription subscription = new EngineRegistration(pattern, engine, subscriptions::remove);
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
        counters.handlerErrors.increment();
        errorHandler.onError(ex instanceof CodecException ? ex : new BusException("subscriber failed: pattern="
            + pattern + ", topic=" + topic + ", error=" + ex, ex));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Request and reply

    @Override
    Subscription addResponder(final String topic, final JavaType requestType, final RequestHandler<Object> handler) {
        return requests.respond(topic, requestType, handler);
    }

    @Override
    <R> CompletableFuture<R> request(
        final String topic, final Object request, final JavaType replyType, final Duration timeout) {
        Topics.validateTopic(topic);
        ResponderResults.checkTimeout(timeout);
        checkOpen();
        return requests.request(topic, request, replyType, timeout);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Introspection and lifecycle

    @Override
    public List<NodeInfo> nodes() {
        checkOpen();
        return transport.nodes(NODES_TIMEOUT);
    }

    @Override
    public Map<String, Long> counters() {
        checkOpen();
        final Map<String, Long> values = counters.snapshot();
        values.putAll(transport.counters());
        return values;
    }

    /** This node as the engine's introspection service reports it. */
    private NodeInfo self() {
        final List<String> patterns = new ArrayList<>();
        for (final Subscription subscription : subscriptions) {
            if (!patterns.contains(subscription.pattern())) {
                patterns.add(subscription.pattern());
            }
        }
        final Map<String, Long> values = counters.snapshot();
        if (transport != null) {
            values.putAll(transport.counters());
        }
        return new NodeInfo(nodeHex, ProcessHandle.current().pid(), nodeName, uri.scheme(),
            transport != null ? transport.address() : uri.servers(),
            startedMillis, patterns, requests != null ? requests.responderTopics() : List.of(), !closed.get(), values);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        requests.failPending();
        transport.close();
    }
}
