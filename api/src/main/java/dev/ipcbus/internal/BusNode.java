// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusUri;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.MessageHandler;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.RawMessageHandler;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.Subscription;
import dev.ipcbus.spi.EngineTransportProvider;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.spi.TransportProvider;
import io.netty.buffer.ByteBuf;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The bus core: one node with an inbox. This class is the {@link Bus} facade and the node's life: it opens the
 * node's parts and closes them in order. The parts, one job each:
 * <ul>
 *   <li>{@link NodeAssembly}: registry, transport, lock, inbox and record, opened crash-safe;</li>
 *   <li>{@link Sender}: encoding, routing, outlets, backpressure, the "inbox gone" retry ({@link OutletRetry});</li>
 *   <li>{@link Dispatcher}: the receive thread, handing frames to subscriptions, {@link Responses} and
 *   {@link Requests};</li>
 *   <li>{@link Registrations}: subscriptions, responders and the registry record listing them;</li>
 *   <li>{@link Liveness} on the {@link NodeTimer}: dead nodes found, reclaimed and forgotten;</li>
 *   <li>{@link NodeStatistics}: {@link #nodes()}; {@link CoreOptions}: the core's URI options.</li>
 * </ul>
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class BusNode extends AbstractBus {
    private final NodeAssembly node;
    private final int maxFrameLength;
    private final Sender sender;
    private final Registrations registrations;
    private final NodeTimer timer;
    private final Requests requests;
    private final Dispatcher dispatcher;
    private final NodeStatistics statistics;

    private BusNode(final BusConfig config, final TransportProvider provider, final long nodeId) {
        super(config.uri(), NodeIds.format(nodeId), NodeAssembly.codec(config));
        final TransportOptions transportOptions = new TransportOptions(uri.options());
        final CoreOptions options = CoreOptions.forInboxNode(transportOptions);
        this.node = new NodeAssembly(config, provider, nodeId, transportOptions, this::onFrame);
        this.maxFrameLength = node.transport().maxFrameLength();
        this.sender = new Sender(node, codec, options, closed);
        this.registrations = new Registrations(node, closed);
        this.timer = new NodeTimer(nodeHex);
        this.requests = new Requests(node, codec, options, closed, sender, timer);
        final Responses responses = new Responses(node, codec, options, closed, registrations, sender);
        this.dispatcher = new Dispatcher(node, codec, registrations, requests, responses);
        this.statistics = new NodeStatistics(node);
        final Liveness liveness = new Liveness(node, closed, sender, requests);
        node.onDeath(liveness);
        liveness.start(timer);
    }

    /**
     * Opens a node: an {@link EngineBus} for an engine-routed transport, else a {@code BusNode}.
     *
     * @param config the configuration.
     * @return the open node.
     */
    public static Bus open(final BusConfig config) {
        Objects.requireNonNull(config, "config");
        final BusUri uri = config.uri();
        final TransportProvider provider = TransportLoader.find(uri.scheme());
        if (provider instanceof EngineTransportProvider) {
            return EngineBus.open(config, (EngineTransportProvider)provider);
        }
        if (!uri.servers().isEmpty()) {
            throw new ConfigurationException("servers given to a local transport (only engine-routed transports such"
                + " as nats:// take servers): uri=" + uri + ", servers=" + uri.servers());
        }
        return new BusNode(config, provider, NodeIds.next());
    }

    /** The inbox's listener; the dispatcher exists before any node can route a frame here (not listed yet). */
    private void onFrame(final ByteBuf frame) {
        final Dispatcher current = dispatcher;
        if (current != null) {
            current.onFrame(frame);
        }
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public void publish(final String topic, final Object message, final Map<String, String> headers) {
        Objects.requireNonNull(headers, "headers");
        sender.publish(topic, message, headers);
    }

    @Override
    public void publishRaw(final String topic, final ByteBuf payload) {
        sender.publishRaw(topic, payload);
    }

    @Override
    Subscription addSubscription(final String pattern, final JavaType type, final MessageHandler<Object> handler,
        final RawMessageHandler rawHandler, final Executor executor) {
        return registrations.subscribe(pattern, type, handler, rawHandler, executor);
    }

    @Override
    Subscription addResponder(final String topic, final JavaType requestType, final RequestHandler<Object> handler) {
        return registrations.respond(topic, requestType, handler);
    }

    @Override
    <R> CompletableFuture<R> request(
        final String topic, final Object request, final JavaType replyType, final Duration timeout) {
        return requests.request(topic, request, replyType, timeout);
    }

    @Override
    public List<NodeInfo> nodes() {
        checkOpen();
        return statistics.nodes();
    }

    @Override
    public Map<String, Long> counters() {
        checkOpen();
        return statistics.counters();
    }

    /**
     * Leaves the bus in the order that keeps the node reclaimable at every step: unlisted first (others stop routing
     * here), outlets closed, pending requests failed, inbox and transport closed, timer stopped, the registry entry
     * removed with its lock last.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = node.unlist();
        failure = sender.outlets().closeAll(failure);
        requests.failAllClosed();
        failure = node.closeInbox(failure);
        timer.stop();
        failure = node.deregister(failure);
        if (failure != null) {
            throw failure;
        }
    }
}
