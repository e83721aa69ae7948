package dev.ipcbus.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.BackpressureTimeoutException;
import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.BusUri;
import dev.ipcbus.CodecException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.MessageContext;
import dev.ipcbus.MessageHandler;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.RawMessageHandler;
import dev.ipcbus.RequestHandler;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.ResponderGoneException;
import dev.ipcbus.Subscription;
import dev.ipcbus.Topics;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.FileNodeRegistry;
import dev.ipcbus.registry.InMemoryNodeRegistry;
import dev.ipcbus.registry.NodeCounters;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.registry.NodeRegistry;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.EngineTransportProvider;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.spi.TransportProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.ipcbus.frame.FrameDescriptor.*;

/**
 * The bus core: one node. Owns an inbox (read by one receive thread that dispatches to handlers), a registry entry
 * listing its subscriptions and responders, outlets to the nodes it sends to (opened on first use, closed when the
 * node leaves), and a timer thread for request timeouts and liveness sweeps.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class BusNode implements Bus {
    private static final Logger LOG = LoggerFactory.getLogger(BusNode.class);
    private static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    private static final long SWEEP_PERIOD_MILLIS = 100;
    /** How long a send retries a live node whose inbox is unavailable, and the pause between tries. */
    private static final long INBOX_GONE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long INBOX_GONE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int FULL_SWEEP_EVERY = 10;

    private final BusUri uri;
    private final long nodeId;
    private final String nodeHex;
    private final JsonCodec codec;
    private final ObjectMapper mapper;
    private final ErrorHandler errorHandler;
    private final long publishTimeoutNanos;
    /** Whether frames carry the sending time: a clock read per send (~35 ns on a VM), or 0 with timestamps=false. */
    private final boolean timestamps;
    private final Transport transport;
    private final int maxFrameLength;
    private final NodeRegistry registry;
    private final Inbox inbox;
    private final NodeRecord baseRecord;
    private final ScheduledThreadPoolExecutor timer;
    /** The timer's one thread, once it started (a request future completed there may close the bus). */
    private volatile Thread timerThread;
    private final CounterFile counters;
    private final TrafficCounters traffic;
    /** Each sending thread's frame and traffic cell for this node. */
    private final ThreadLocal<OutgoingFrame> outgoing = ThreadLocal.withInitial(this::newOutgoingFrame);
    /**
     * The frame of the thread that sent last: a thread sending again finds its own by one field read and an identity
     * check instead of a thread-local look-up. Racy by design: any thread's frame may be seen here, and a thread uses
     * it only if {@link OutgoingFrame#owner()} (a final field) is itself.
     */
    private OutgoingFrame lastOutgoing;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object registrationLock = new Object();
    private final CopyOnWriteArrayList<LocalSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, LocalSubscription[]> subscriptionMatches = new ConcurrentHashMap<>();
    /** Bumped (under {@link #registrationLock}) after every change of {@link #subscriptions}. */
    private volatile long subscriptionsVersion;
    private final ConcurrentHashMap<String, LocalResponder> responders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PendingRequest<?>> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Outlet> outlets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, OutgoingTopic> outgoingTopics = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final AtomicLong roundRobin = new AtomicLong();
    private final Object routingLock = new Object();
    private volatile RoutingTable routing;
    private long sweeps;

    // Receive-thread state: confined to the inbox's receive thread.
    private final FrameFlyweight received = new FrameFlyweight();
    private final ReceivedContext receivedContext = new ReceivedContext();
    private final TopicCache topicCache = new TopicCache();

    private BusNode(final BusConfig config, final TransportProvider provider) {
        this.uri = config.uri();
        this.nodeId = NodeIds.next();
        this.nodeHex = NodeIds.format(nodeId);
        this.mapper = config.objectMapper() != null ? config.objectMapper() : JsonCodec.defaultMapper();
        this.codec = new JsonCodec(mapper);
        this.errorHandler = errorHandler(config);

        final TransportOptions options = new TransportOptions(uri.options());
        // At most TransportOptions.MAX_DURATION: converts, and adds to nanoTime() in outlets, without overflow.
        this.publishTimeoutNanos = options.duration("publishTimeout", DEFAULT_PUBLISH_TIMEOUT).toNanos();
        this.timestamps = Boolean.parseBoolean(options.string("timestamps", "true", "true", "false"));

        final Path busDirectory;
        if (provider.isProcessLocal()) {
            busDirectory = RuntimeDirectory.base(config.runtimeDirectory()).resolve(uri.scheme())
                .resolve(uri.busName());
            this.registry = new InMemoryNodeRegistry(uri.scheme() + "/" + uri.busName());
        } else {
            final Path base = RuntimeDirectory.ensurePrivate(RuntimeDirectory.base(config.runtimeDirectory()));
            busDirectory = RuntimeDirectory.ensurePrivate(
                RuntimeDirectory.ensurePrivate(base.resolve(uri.scheme())).resolve(uri.busName()));
            this.registry = new FileNodeRegistry(busDirectory, this::onReclaim, errorHandler);
        }

        final TransportContext context = new TransportContext(
            uri.busName(), options, busDirectory, registry, errorHandler, registry::counters);
        Transport created = null;
        Inbox opened = null;
        boolean claimed = false;
        try {
            created = provider.create(context);
            options.checkAllRead(uri.scheme());
            this.transport = created;
            this.maxFrameLength = created.maxFrameLength();
            // The lock first: everything created after it is named after the node id, so a process killed at any
            // point from here on leaves only what a checker can reclaim from the lock file alone (issue 13).
            registry.claim(nodeId);
            claimed = true;
            StartupStages.reached(StartupStages.LOCKED, nodeHex);
            opened = created.openInbox(nodeId, this::onFrame);
            this.inbox = opened;
            StartupStages.reached(StartupStages.INBOX, nodeHex);
            this.baseRecord = new NodeRecord(nodeHex, ProcessHandle.current().pid(), uri.scheme(), opened.address(),
                nodeName(config), System.currentTimeMillis(),
                List.of(), List.of(), opened.maxFrameLength());
            registry.register(baseRecord);
            StartupStages.reached(StartupStages.REGISTERED, nodeHex);
            this.counters = registry.counters(nodeId);
            this.traffic = new TrafficCounters(counters);
        } catch (final RuntimeException ex) {
            releaseFailedOpen(created, opened, claimed, ex);
            throw ex;
        }
        this.routing = new RoutingTable(Long.MIN_VALUE, List.of(), uri.scheme());
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            final Thread thread = new Thread(runnable, "ipcbus-timer-" + nodeHex);
            timerThread = thread;
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_PERIOD_MILLIS, SWEEP_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Undoes a failed open: the inbox and transport are closed, whatever the transport created for this node is
     * reclaimed by its id (an inbox that failed half-way has no address), then the registry entry goes, lock last.
     */
    private void releaseFailedOpen(
        final Transport created, final Inbox opened, final boolean claimed, final RuntimeException failure) {
        if (claimed) {
            try {
                registry.unlist(nodeId);
            } catch (final RuntimeException ex) {
                failure.addSuppressed(ex);
            }
        }
        if (opened != null) {
            closeQuietly(opened, failure);
        }
        if (created != null) {
            if (claimed) {
                try {
                    created.reclaim(nodeId, null);
                } catch (final RuntimeException ex) {
                    failure.addSuppressed(ex);
                }
            }
            closeQuietly(created, failure);
        }
        if (claimed) {
            try {
                registry.deregister(nodeId);
            } catch (final RuntimeException ex) {
                failure.addSuppressed(ex);
            }
        }
        registry.close();
    }

    /**
     * Opens a node.
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
        return new BusNode(config, provider);
    }

    /** The configured node name, or the main class's simple name. */
    static String nodeName(final BusConfig config) {
        return config.nodeName() != null ? config.nodeName() : defaultNodeName();
    }

    /** The configured error handler, or one that logs at WARN. */
    static ErrorHandler errorHandler(final BusConfig config) {
        return config.errorHandler() != null ? config.errorHandler() : BusNode::logError;
    }

    private static String defaultNodeName() {
        final String command = System.getProperty("sun.java.command", "");
        final String main = command.isBlank() ? "java" : command.split(" ")[0];
        final int slash = Math.max(main.lastIndexOf('/'), main.lastIndexOf('.'));
        return slash >= 0 && slash < main.length() - 1 && !main.endsWith(".jar") ? main.substring(slash + 1) : main;
    }

    private static void logError(final Throwable error) {
        LOG.warn("ipcbus: {}", error.getMessage(), error instanceof FrameFormatException ? null : error);
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
        return maxFrameLength;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Publishing

    @Override
    public void publish(final String topic, final Object message) {
        publish(topic, message, Map.of());
    }

    @Override
    public void publish(final String topic, final Object message, final Map<String, String> headers) {
        Objects.requireNonNull(headers, "headers");
        final OutgoingTopic outgoingTopic = outgoingTopic(topic);
        final byte[] topicUtf8 = outgoingTopic.utf8();
        checkOpen();
        final RoutingTable.Peer[] targets = outgoingTopic.subscribers(routing());
        if (targets.length == 0) {
            return;
        }
        final OutgoingFrame frame = acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_PUBLISH, 0, codec.contentType(), nodeId, 0, 0,
                timestamp(), topicUtf8, headers);
            codec.encode(message, buffer, topic);
            FrameEncoder.finish(buffer, start);
            frame.encodedIn();
            deliver(targets, frame, frame.frameLength(), topic);
        } finally {
            frame.release();
        }
    }

    @Override
    public void publishRaw(final String topic, final ByteBuf payload) {
        final OutgoingFrame frame = acquireFrame();
        try {
            OutgoingTopic outgoingTopic = frame.lastTopic(topic);
            if (outgoingTopic == null) {
                outgoingTopic = outgoingTopic(topic);
                frame.lastTopic(topic, outgoingTopic);
            }
            checkOpen();
            final RoutingTable.Peer[] targets = outgoingTopic.subscribers(routing());
            if (targets.length == 0) {
                return;
            }
            final long frameLength = frame.rawPublish(outgoingTopic, timestamp(), payload);
            deliver(targets, frame, frameLength, topic);
        } finally {
            frame.release();
        }
    }

    @Override
    public void publishRaw(final String topic, final byte[] payload) {
        publishRaw(topic, Unpooled.wrappedBuffer(payload));
    }

    private byte[] topicBytes(final String topic) {
        return outgoingTopic(topic).utf8();
    }

    /** @return the topic's cached sending state (validated on first use; at most 4096 topics are kept). */
    private OutgoingTopic outgoingTopic(final String topic) {
        final OutgoingTopic cached = topic == null ? null : outgoingTopics.get(topic);
        if (cached != null) {
            return cached;
        }
        final OutgoingTopic created = new OutgoingTopic(topic, Topics.validateTopic(topic), nodeId);
        if (outgoingTopics.size() < 4096) {
            outgoingTopics.put(topic, created);
        }
        return created;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BusClosedException("bus is closed: node=" + nodeHex + ", uri=" + uri);
        }
    }

    private long timestamp() {
        return timestamps ? EpochClock.nanos() : 0;
    }

    private void checkSize(final long frameLength) {
        if (frameLength > maxFrameLength) {
            throw new MessageTooLargeException((int)Math.min(frameLength, Integer.MAX_VALUE), maxFrameLength,
                uri.scheme());
        }
    }

    /**
     * Refuses a frame larger than any target's inbox accepts (as advertised in its registry record), before anything
     * is sent to any of them: a fan-out is never half delivered for this reason.
     */
    private void checkTargets(final RoutingTable.Peer[] targets, final long frameLength) {
        for (final RoutingTable.Peer target : targets) {
            checkTarget(target, frameLength);
        }
    }

    private void checkTarget(final RoutingTable.Peer target, final long frameLength) {
        if (target.refuses(frameLength)) {
            throw new MessageTooLargeException((int)Math.min(frameLength, Integer.MAX_VALUE),
                target.record().maxFrameLength(), uri.scheme(), target.toString(), transport.frameLimitOption());
        }
    }

    private OutgoingFrame newOutgoingFrame() {
        return new OutgoingFrame(traffic.newSender(), false);
    }

    /** @return the calling thread's frame, or a temporary one for a send nested in another on this thread. */
    private OutgoingFrame acquireFrame() {
        final Thread thread = Thread.currentThread();
        OutgoingFrame frame = lastOutgoing;
        if (frame == null || frame.owner() != thread) {
            frame = outgoing.get();
            lastOutgoing = frame;
        }
        if (frame.acquire()) {
            return frame;
        }
        final OutgoingFrame nested = new OutgoingFrame(frame.traffic(), true);
        nested.acquire();
        return nested;
    }

    /**
     * Offers one frame to every target; a target that cannot be reached while alive is an error, raised after the
     * others were served (the first failure, the rest suppressed).
     */
    private void deliver(final RoutingTable.Peer[] targets, final OutgoingFrame frame, final long frameLength,
        final String topic) {
        checkSize(frameLength);
        checkTargets(targets, frameLength);
        BusException failure = null;
        for (final RoutingTable.Peer target : targets) {
            try {
                send(target, frame, topic);
            } catch (final BusException ex) {
                if (ex instanceof BusClosedException) {
                    throw ex; // closed while sending: the other targets cannot be served either
                }
                if (failure == null) {
                    failure = (BusException)ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Sends one frame to one node.
     *
     * @return {@code true} if delivered; {@code false} if the node is dead (it was reclaimed).
     * @throws BackpressureTimeoutException if its inbox stayed full.
     * @throws BusClosedException           if this node is closed, or closes while sending.
     * @throws BusException                 if it is alive but unreachable.
     */
    private boolean send(final RoutingTable.Peer target, final OutgoingFrame frame, final String topic) {
        try {
            return trySend(target, frame, topic);
        } catch (final IllegalStateException ex) {
            if (closed.get()) {
                // The transport refuses use once close() closed it: a send that raced close().
                throw new BusClosedException("bus closed while sending: node=" + nodeHex + ", topic=" + topic, ex);
            }
            throw ex;
        }
    }

    private boolean trySend(final RoutingTable.Peer target, final OutgoingFrame frame, final String topic) {
        boolean staleRetried = false;
        final long goneDeadline = System.nanoTime() + INBOX_GONE_RETRY_NANOS;
        for (int attempt = 0; attempt < 2; attempt++) {
            checkOpen();
            final Outlet outlet;
            try {
                outlet = outlet(target);
            } catch (final BusException ex) {
                if (!registry.isAlive(target.nodeId())) {
                    return false;
                }
                if (ex instanceof InboxUnavailableException && System.nanoTime() - goneDeadline < 0) {
                    // A live node without its inbox is closing or being reclaimed right now: wait until it is not.
                    LockSupport.parkNanos(INBOX_GONE_PAUSE_NANOS);
                    attempt--;
                    continue;
                }
                if (attempt == 0) {
                    continue;
                }
                throw new BusException("cannot reach node: node=" + target + ", topic=" + topic + ", error="
                    + ex.getMessage(), ex);
            }
            final int status = frame.isRaw() && outlet.writesInPlace()
                ? outlet.offer(frame, frame.frameLength(), publishTimeoutNanos)
                : outlet.offer(frame.encoded(), publishTimeoutNanos);
            switch (status) {
                case Outlet.SENT:
                    frame.traffic().add(frame.frameLength());
                    return true;
                case Outlet.BACK_PRESSURED:
                    counters.add(NodeCounters.BACKPRESSURE_TIMEOUTS, 1);
                    throw new BackpressureTimeoutException(target.toString(),
                        TimeUnit.NANOSECONDS.toMillis(publishTimeoutNanos), topic);
                case Outlet.PEER_GONE:
                case Outlet.CLOSED:
                default:
                    // A cached outlet that someone else dropped before this send does not use up an attempt (once).
                    final boolean droppedBefore = outlets.get(target.key()) != outlet;
                    target.forget(outlet);
                    dropOutlet(target.nodeId(), outlet);
                    if (closed.get()) {
                        throw new BusClosedException("bus closed while sending: node=" + nodeHex + ", topic=" + topic);
                    }
                    if (!registry.isAlive(target.nodeId())) {
                        return false;
                    }
                    if (droppedBefore && !staleRetried) {
                        staleRetried = true;
                        attempt--;
                    }
                    break; // alive: reconnect once
            }
        }
        throw new BusException("cannot deliver to live node: node=" + target + ", topic=" + topic
            + ", transport=" + uri.scheme());
    }

    private Outlet outlet(final RoutingTable.Peer target) {
        final Outlet cached = target.outlet();
        if (cached != null) {
            return cached;
        }
        final Outlet existing = outlets.get(target.key());
        if (existing != null) {
            target.outlet(existing);
            return existing;
        }
        synchronized (outlets) {
            final Outlet again = outlets.get(target.nodeId());
            if (again != null) {
                return again;
            }
            final Outlet created = transport.openOutlet(target.nodeId(), target.record().address());
            outlets.put(target.nodeId(), created);
            if (closed.get()) {
                outlets.remove(target.nodeId());
                created.close();
                checkOpen();
            }
            target.outlet(created);
            return created;
        }
    }

    private void dropOutlet(final long peer, final Outlet outlet) {
        if (outlets.remove(peer, outlet)) {
            closeQuietly(outlet, null);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Routing and liveness

    private RoutingTable routing() {
        final RoutingTable current = routing;
        final long version = registry.version();
        return current.version() == version ? current : rebuildRouting(version);
    }

    private RoutingTable rebuildRouting(final long version) {
        synchronized (routingLock) {
            RoutingTable current = routing;
            if (current.version() == version) {
                return current;
            }
            // Read the version before the directory: a change made during the scan moves the version again.
            current = new RoutingTable(version, registry.nodes(), uri.scheme());
            routing = current;
            for (final Map.Entry<Long, Outlet> entry : outlets.entrySet()) {
                if (current.peer(entry.getKey()) == null) {
                    dropOutlet(entry.getKey(), entry.getValue());
                }
            }
            return current;
        }
    }

    /** Registry callback: a dead node is being reclaimed (by this process, holding its lock). */
    private void onReclaim(final long deadNode, final NodeRecord record) {
        if (transport != null && (record == null || uri.scheme().equals(record.transport()))) {
            // No record: the node died before it was listed; the transport finds its resources by the id.
            transport.reclaim(deadNode, record == null ? null : record.address());
        }
        final Outlet outlet = outlets.remove(deadNode);
        if (outlet != null) {
            closeQuietly(outlet, null);
        }
        failPendingTo(deadNode);
    }

    private void failPendingTo(final long deadNode) {
        for (final PendingRequest<?> request : pending.values()) {
            // A request still being sent is its sender's to fail or send elsewhere (sendRequest).
            if (request.responder == deadNode && request.delivered) {
                request.fail(new ResponderGoneException("responder gone: topic=" + request.topic + ", node="
                    + NodeIds.format(deadNode) + ", correlationId=" + request.correlationId));
            }
        }
    }

    private void sweep() {
        if (closed.get()) {
            return;
        }
        try {
            traffic.flush();
            final List<Long> checked = new ArrayList<>();
            for (final PendingRequest<?> request : pending.values()) {
                if (!checked.contains(request.responder)) {
                    checked.add(request.responder);
                    if (!registry.isAlive(request.responder)) {
                        failPendingTo(request.responder);
                    }
                }
            }
            if (++sweeps % FULL_SWEEP_EVERY == 0) {
                for (final RoutingTable.Peer peer : routing().peers()) {
                    if (peer.nodeId() != nodeId && !registry.isAlive(peer.nodeId())) {
                        failPendingTo(peer.nodeId());
                    }
                }
                registry.reclaimUnlisted();
            }
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Subscribing and responding

    @Override
    public <T> Subscription subscribe(final String pattern, final Class<T> type, final MessageHandler<T> handler) {
        return addSubscription(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public <T> Subscription subscribe(
        final String pattern, final TypeReference<T> type, final MessageHandler<T> handler) {
        return addSubscription(pattern, codec.type(type), handler, null, null);
    }

    @Override
    public <T> Subscription subscribe(
        final String pattern, final Class<T> type, final MessageHandler<T> handler, final Executor executor) {
        return addSubscription(pattern, codec.type(type), handler, null, Objects.requireNonNull(executor, "executor"));
    }

    @Override
    public Subscription subscribeRaw(final String pattern, final RawMessageHandler handler) {
        return addSubscription(pattern, null, null, Objects.requireNonNull(handler, "handler"), null);
    }

    private Subscription addSubscription(
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
        final LocalSubscription subscription = new LocalSubscription(pattern, type, handler, rawHandler, executor);
        synchronized (registrationLock) {
            subscriptions.add(subscription);
            subscriptionMatches.clear();
            subscriptionsVersion++;
            publishRecord();
        }
        return subscription;
    }

    @Override
    public <Q> Subscription respond(final String topic, final Class<Q> requestType, final RequestHandler<Q> handler) {
        Topics.validateTopic(topic);
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        final LocalResponder responder = new LocalResponder(topic, codec.type(requestType), handler);
        synchronized (registrationLock) {
            if (responders.putIfAbsent(topic, responder) != null) {
                throw new IllegalStateException("already responding: topic=" + topic + ", node=" + nodeHex);
            }
            publishRecord();
        }
        return responder;
    }

    /** Rewrites this node's registry record; caller holds {@link #registrationLock}. */
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

    /** The receive thread's matches for a cached topic: kept on its entry until the subscriptions change. */
    private LocalSubscription[] matchingSubscriptions(final TopicCache.Entry entry) {
        final long version = subscriptionsVersion;
        if (entry.attachmentVersion != version) {
            entry.attachment = matchingSubscriptions(entry.topic);
            entry.attachmentVersion = version;
        }
        return (LocalSubscription[])entry.attachment;
    }

    private LocalSubscription[] matchingSubscriptions(final String topic) {
        final LocalSubscription[] cached = subscriptionMatches.get(topic);
        if (cached != null) {
            return cached;
        }
        final List<LocalSubscription> found = new ArrayList<>();
        for (final LocalSubscription subscription : subscriptions) {
            if (Topics.matches(subscription.pattern, topic)) {
                found.add(subscription);
            }
        }
        final LocalSubscription[] result = found.toArray(new LocalSubscription[0]);
        if (subscriptionMatches.size() < 4096) {
            subscriptionMatches.put(topic, result);
        }
        return result;
    }

    private final class LocalSubscription implements Subscription {
        final String pattern;
        final JavaType type;
        final MessageHandler<Object> handler;
        final RawMessageHandler rawHandler;
        final Executor executor;
        volatile boolean active = true;

        @SuppressWarnings("unchecked")
        LocalSubscription(
            final String pattern,
            final JavaType type,
            final MessageHandler<?> handler,
            final RawMessageHandler rawHandler,
            final Executor executor) {
            this.pattern = pattern;
            this.type = type;
            this.handler = (MessageHandler<Object>)handler;
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
            synchronized (registrationLock) {
                subscriptions.remove(this);
                subscriptionMatches.clear();
                subscriptionsVersion++;
                publishRecord();
            }
        }
    }

    private final class LocalResponder implements Subscription {
        final String topic;
        final JavaType type;
        final RequestHandler<Object> handler;

        @SuppressWarnings("unchecked")
        LocalResponder(final String topic, final JavaType type, final RequestHandler<?> handler) {
            this.topic = topic;
            this.type = type;
            this.handler = (RequestHandler<Object>)handler;
        }

        @Override
        public String pattern() {
            return topic;
        }

        @Override
        public void close() {
            synchronized (registrationLock) {
                if (responders.remove(topic, this)) {
                    publishRecord();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Requests

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
        final byte[] topicUtf8 = topicBytes(topic);
        ResponderResults.checkTimeout(timeout);
        final long timeoutNanos = TransportOptions.toNanosCapped(timeout);
        checkOpen();
        final RoutingTable.Peer[] candidates = routing().responders(topic);
        if (candidates.length == 0) {
            return CompletableFuture.failedFuture(new NoResponderException("no responder: topic=" + topic
                + ", bus=" + uri));
        }
        final int first = (int)(roundRobin.getAndIncrement() % candidates.length);
        final long correlationId = correlationIds.incrementAndGet();
        final PendingRequest<R> pendingRequest = new PendingRequest<>(correlationId, topic,
            candidates[first].nodeId(), replyType);
        pending.put(correlationId, pendingRequest);
        pendingRequest.future.whenComplete((value, error) -> pending.remove(correlationId));
        try {
            pendingRequest.timeout = timer.schedule(() -> {
                counters.add(NodeCounters.REQUESTS_TIMED_OUT, 1);
                pendingRequest.fail(new RequestTimeoutException("request timed out: topic=" + topic + ", node="
                    + NodeIds.format(pendingRequest.responder) + ", timeoutMillis="
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + ", correlationId=" + correlationId));
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (final RejectedExecutionException ex) {
            pendingRequest.fail(new BusClosedException("bus closed: node=" + nodeHex + ", topic=" + topic, ex));
            return pendingRequest.future; // close() stopped the timer after this call checked it was open
        }
        counters.add(NodeCounters.REQUESTS_SENT, 1);

        final OutgoingFrame frame = acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_REQUEST, 0, codec.contentType(), nodeId,
                candidates[first].nodeId(), correlationId, timestamp(), topicUtf8, Map.of());
            codec.encode(request, buffer, topic);
            FrameEncoder.finish(buffer, start);
            frame.encodedIn();
            checkSize(frame.frameLength());
            sendRequest(candidates, first, frame, start, pendingRequest);
        } catch (final BusException | IllegalStateException ex) {
            pendingRequest.fail(ex);
        } finally {
            frame.release();
        }
        if (closed.get()) {
            pendingRequest.fail(new BusClosedException("bus closed: node=" + nodeHex));
        }
        return pendingRequest.future;
    }

    /**
     * Sends an encoded request to the first responder, in round-robin order from {@code first}, that takes it alive.
     * A responder found dead before the frame reached it (its outlet reports it gone and the registry confirms it, or,
     * when there is another responder to pick, the registry finds it dead just before sending) is skipped: the
     * request goes to the next one. Only a responder that dies once the frame is in its inbox fails the request with
     * {@link ResponderGoneException} (from the liveness sweep); with none left alive it fails with
     * {@link NoResponderException}.
     */
    private void sendRequest(final RoutingTable.Peer[] candidates, final int first, final OutgoingFrame frame,
        final int start, final PendingRequest<?> request) {
        StringBuilder skipped = null;
        for (int i = 0; i < candidates.length; i++) {
            final RoutingTable.Peer target = candidates[(first + i) % candidates.length];
            // A ring inbox takes frames after its reader died, so only this check finds a responder that died since
            // the last sweep; it costs a lock-file probe (~20 us here), paid only when there is another to pick.
            final boolean dead = candidates.length > 1 && target.nodeId() != nodeId
                && !registry.isAlive(target.nodeId());
            if (!dead) {
                checkTarget(target, frame.frameLength());
                request.responder = target.nodeId();
                frame.encoded().setLongLE(start + DESTINATION_OFFSET, target.nodeId());
                if (send(target, frame, request.topic)) {
                    request.delivered = true;
                    return;
                }
            }
            skipped = (skipped == null ? new StringBuilder() : skipped.append(',')).append(target);
        }
        request.fail(new NoResponderException("no live responder: topic=" + request.topic + ", bus=" + uri
            + ", dead=[" + skipped + "]"));
    }

    private static final class PendingRequest<R> {
        final long correlationId;
        final String topic;
        final JavaType replyType;
        final CompletableFuture<R> future = new CompletableFuture<>();
        /** The responder the request is being sent to, or was sent to; changes while a dead one is skipped. */
        volatile long responder;
        /** Whether the frame is in the responder's inbox: only then does the responder's death fail the request. */
        volatile boolean delivered;
        volatile ScheduledFuture<?> timeout;

        PendingRequest(final long correlationId, final String topic, final long responder, final JavaType replyType) {
            this.correlationId = correlationId;
            this.topic = topic;
            this.responder = responder;
            this.replyType = replyType;
        }

        void complete(final R value) {
            cancelTimeout();
            future.complete(value);
        }

        void fail(final Throwable error) {
            cancelTimeout();
            future.completeExceptionally(error);
        }

        private void cancelTimeout() {
            final ScheduledFuture<?> scheduled = timeout;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Receiving (receive thread)

    private void onFrame(final ByteBuf frame) {
        traffic.received(frame.readableBytes());
        final FrameFlyweight flyweight;
        try {
            flyweight = received.wrap(frame);
        } catch (final FrameFormatException ex) {
            dropMalformed(ex.getMessage(), ex);
            return;
        }
        final TopicCache.Entry entry = topicCache.entry(frame, flyweight.topicOffset(), flyweight.topicLength());
        if (entry.problem != null) {
            // A topic no sender may use (a wildcard, an empty token, whitespace, malformed UTF-8): never delivered.
            dropMalformed(entry.problem + ", type=" + flyweight.type() + ", sender="
                + NodeIds.format(flyweight.sender()), null);
            return;
        }
        final String topic = entry.topic;
        receivedContext.reset(topic, flyweight);
        try {
            switch (flyweight.type()) {
                case TYPE_PUBLISH:
                    onPublish(flyweight, topic, matchingSubscriptions(entry));
                    break;
                case TYPE_REQUEST:
                    onRequest(flyweight, topic);
                    break;
                case TYPE_REPLY:
                case TYPE_ERROR_REPLY:
                    onReply(flyweight, topic);
                    break;
                default:
                    break; // unreachable: wrap() validated the type
            }
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
    }

    /** Counts a malformed frame and reports it (the first, then every 1000th); the receive loop goes on. */
    private void dropMalformed(final String problem, final FrameFormatException cause) {
        counters.add(NodeCounters.MALFORMED_FRAMES, 1);
        final long count = counters.get(NodeCounters.MALFORMED_FRAMES);
        if (count == 1 || count % 1000 == 0) {
            errorHandler.onError(new FrameFormatException("malformed frame dropped: node=" + nodeHex
                + ", count=" + count + ", error=" + problem, cause));
        }
    }

    private void onPublish(final FrameFlyweight frame, final String topic, final LocalSubscription[] matches) {
        JavaType decodedType = null;
        Object decoded = null;
        for (final LocalSubscription subscription : matches) {
            if (!subscription.active) {
                continue;
            }
            try {
                if (subscription.rawHandler != null) {
                    deliverRaw(subscription, frame);
                    continue;
                }
                if (frame.contentType() != CONTENT_TYPE_JSON) {
                    throw new CodecException("raw payload for a typed subscription: topic=" + topic + ", pattern="
                        + subscription.pattern + ", type=" + subscription.type);
                }
                if (!subscription.type.equals(decodedType)) {
                    decoded = codec.decode(payload(frame), subscription.type, topic);
                    decodedType = subscription.type;
                }
                if (subscription.executor == null) {
                    subscription.handler.onMessage(decoded, receivedContext);
                } else {
                    final Object message = decoded;
                    final MessageContext copy = receivedContext.copy();
                    subscription.executor.execute(() -> runHandler(subscription, message, copy));
                }
            } catch (final Exception ex) {
                reportHandlerError(subscription.pattern, topic, ex);
            }
        }
    }

    private void runHandler(final LocalSubscription subscription, final Object message, final MessageContext context) {
        if (!subscription.active) {
            return;
        }
        try {
            subscription.handler.onMessage(message, context);
        } catch (final Exception ex) {
            reportHandlerError(subscription.pattern, context.topic(), ex);
        }
    }

    private void reportHandlerError(final String pattern, final String topic, final Exception ex) {
        counters.add(NodeCounters.HANDLER_ERRORS, 1);
        if (ex instanceof CodecException) {
            errorHandler.onError(ex);
        } else {
            errorHandler.onError(new BusException("subscriber failed: pattern=" + pattern + ", topic=" + topic
                + ", error=" + ex, ex));
        }
    }

    private void deliverRaw(final LocalSubscription subscription, final FrameFlyweight frame) throws Exception {
        final ByteBuf buffer = frame.buffer();
        final int readerIndex = buffer.readerIndex();
        final int writerIndex = buffer.writerIndex();
        // Narrow the borrowed buffer to the payload in place (no slice object), and restore it afterwards.
        buffer.setIndex(frame.payloadOffset(), frame.payloadOffset() + frame.payloadLength());
        try {
            if (subscription.executor == null) {
                subscription.rawHandler.onMessage(buffer, receivedContext);
            } else {
                final ByteBuf copy = Unpooled.copiedBuffer(buffer);
                final MessageContext context = receivedContext.copy();
                subscription.executor.execute(() -> {
                    try {
                        subscription.rawHandler.onMessage(copy, context);
                    } catch (final Exception ex) {
                        reportHandlerError(subscription.pattern, context.topic(), ex);
                    } finally {
                        copy.release();
                    }
                });
            }
        } finally {
            buffer.setIndex(readerIndex, writerIndex);
        }
    }

    private static ByteBuf payload(final FrameFlyweight frame) {
        return frame.buffer().slice(frame.payloadOffset(), frame.payloadLength());
    }

    private void onRequest(final FrameFlyweight frame, final String topic) {
        final long requester = frame.sender();
        final long correlationId = frame.correlationId();
        if (frame.destination() != nodeId) {
            errorHandler.onError(new FrameFormatException("request for another node dropped: topic=" + topic
                + ", destination=" + NodeIds.format(frame.destination()) + ", node=" + nodeHex));
            return;
        }
        final LocalResponder responder = responders.get(topic);
        if (responder == null) {
            sendErrorReply(requester, correlationId, topic, FLAG_NO_RESPONDER,
                NoResponderException.class.getName(), "no responder: topic=" + topic + ", node=" + nodeHex);
            return;
        }
        final Object result;
        try {
            if (frame.contentType() != CONTENT_TYPE_JSON) {
                throw new CodecException("raw payload for a typed responder: topic=" + topic);
            }
            final Object request = codec.decode(payload(frame), responder.type, topic);
            result = responder.handler.onRequest(request, receivedContext);
        } catch (final Exception ex) {
            sendErrorReply(requester, correlationId, topic, 0, ex.getClass().getName(), ex.getMessage());
            return;
        }
        ResponderResults.whenDone(result, value -> sendReply(requester, correlationId, topic, value),
            cause -> sendErrorReply(requester, correlationId, topic, 0, cause.getClass().getName(),
                cause.getMessage()));
    }

    private void sendReply(final long requester, final long correlationId, final String topic, final Object value) {
        final OutgoingFrame frame = acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_REPLY, 0, codec.contentType(), nodeId, requester,
                correlationId, timestamp(), topicBytes(topic), Map.of());
            try {
                codec.encode(value, buffer, topic);
            } catch (final CodecException ex) {
                buffer.writerIndex(start);
                sendErrorReply(requester, correlationId, topic, 0, ex.getClass().getName(), ex.getMessage());
                return;
            }
            FrameEncoder.finish(buffer, start);
            frame.encodedIn();
            try {
                checkSize(frame.frameLength());
                // A reply too large for the requester's inbox goes back as an error it can read, not lost.
                final RoutingTable.Peer peer = closed.get() ? null : peerOf(requester);
                if (peer != null) {
                    checkTarget(peer, frame.frameLength());
                }
            } catch (final MessageTooLargeException ex) {
                sendErrorReply(requester, correlationId, topic, 0, MessageTooLargeException.class.getName(),
                    ex.getMessage());
                return;
            }
            counters.add(NodeCounters.REPLIES_SENT, 1);
            sendTo(requester, frame, topic);
        } finally {
            frame.release();
        }
    }

    private void sendErrorReply(
        final long requester,
        final long correlationId,
        final String topic,
        final int flags,
        final String type,
        final String message) {
        final Map<String, String> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        final OutgoingFrame frame = acquireFrame();
        try {
            final ByteBuf buffer = frame.buffer();
            final int start = FrameEncoder.begin(buffer, TYPE_ERROR_REPLY, flags, codec.contentType(), nodeId,
                requester, correlationId, timestamp(), topicBytes(topic), Map.of());
            codec.encode(error, buffer, topic);
            FrameEncoder.finish(buffer, start);
            frame.encodedIn();
            counters.add(NodeCounters.REPLIES_SENT, 1);
            sendTo(requester, frame, topic);
        } finally {
            frame.release();
        }
    }

    private void sendTo(final long node, final OutgoingFrame frame, final String topic) {
        if (closed.get()) {
            return;
        }
        final RoutingTable.Peer peer = peerOf(node);
        if (peer == null) {
            errorHandler.onError(new BusException("reply dropped, requester not registered: node="
                + NodeIds.format(node) + ", topic=" + topic));
            return;
        }
        try {
            send(peer, frame, topic);
        } catch (final BusException | IllegalStateException ex) {
            errorHandler.onError(new BusException("reply not delivered: node=" + peer + ", topic=" + topic
                + ", error=" + ex.getMessage(), ex));
        }
    }

    /** @return the node's routing entry, re-reading the registry once if the snapshot does not know it; or null. */
    private RoutingTable.Peer peerOf(final long node) {
        final RoutingTable.Peer peer = routing().peer(node);
        return peer != null ? peer : rebuildRouting(registry.version()).peer(node);
    }

    @SuppressWarnings("unchecked")
    private void onReply(final FrameFlyweight frame, final String topic) {
        final PendingRequest<Object> request = (PendingRequest<Object>)pending.get(frame.correlationId());
        if (request == null || request.responder != frame.sender()) {
            return; // timed out, cancelled, or not ours: a late reply is not an error
        }
        if (frame.type() == TYPE_ERROR_REPLY) {
            String type = "unknown";
            String message = null;
            try {
                final Map<?, ?> error = codec.decode(payload(frame), codec.type(Map.class), topic);
                type = String.valueOf(error.get("type"));
                message = error.get("message") == null ? null : String.valueOf(error.get("message"));
            } catch (final CodecException ex) {
                message = "unreadable error reply: " + ex.getMessage();
            }
            if ((frame.flags() & FLAG_NO_RESPONDER) != 0) {
                request.fail(new NoResponderException("no responder: topic=" + topic + ", node="
                    + NodeIds.format(frame.sender()) + ", reason=" + message));
            } else {
                request.fail(new ResponderFailedException(topic, NodeIds.format(frame.sender()), type, message));
            }
            return;
        }
        final Object value;
        try {
            if (frame.contentType() != CONTENT_TYPE_JSON) {
                // A reply is always decoded into the requested type; raw bytes cannot be (a foreign responder's bug).
                throw new CodecException("raw payload in a reply: topic=" + topic + ", node="
                    + NodeIds.format(frame.sender()) + ", correlationId=" + frame.correlationId());
            }
            value = codec.decode(payload(frame), request.replyType, topic);
        } catch (final CodecException ex) {
            request.fail(ex);
            return;
        }
        request.complete(value);
    }

    @Override
    public List<NodeInfo> nodes() {
        checkOpen();
        traffic.flush();
        final List<NodeInfo> nodes = new ArrayList<>();
        for (final long unlisted : registry.reclaimUnlisted()) {
            // Killed before it was listed: only its id is known.
            nodes.add(new NodeInfo(NodeIds.format(unlisted), 0, null, uri.scheme(), null, 0, List.of(), List.of(),
                false, Map.of()));
        }
        for (final NodeRecord record : registry.nodes()) {
            final long id = NodeIds.parse(record.id());
            final boolean alive = registry.isAlive(id);
            final Map<String, Long> values = new LinkedHashMap<>();
            final CounterFile nodeCounters = alive ? registry.counters(id) : null;
            if (nodeCounters != null) {
                values.putAll(NodeCounters.snapshot(nodeCounters));
            }
            nodes.add(new NodeInfo(record.id(), record.pid(), record.name(), record.transport(), record.address(),
                record.startedMillis(), record.subscriptions(), record.responders(), alive, values));
        }
        return nodes;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lifecycle

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        try {
            registry.unlist(nodeId); // others stop routing here; the lock stays until the inbox is gone
        } catch (final RuntimeException ex) {
            failure = ex;
        }
        for (final Outlet outlet : outlets.values()) {
            failure = closeQuietly(outlet, failure);
        }
        outlets.clear();
        for (final PendingRequest<?> request : pending.values()) {
            request.fail(new BusClosedException("bus closed: node=" + nodeHex + ", topic=" + request.topic));
        }
        failure = closeQuietly(inbox, failure);
        failure = closeQuietly(transport, failure);
        stopTimer();
        try {
            registry.deregister(nodeId);
        } catch (final RuntimeException ex) {
            failure = failure == null ? ex : addSuppressed(failure, ex);
        }
        registry.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException addSuppressed(final RuntimeException failure, final RuntimeException more) {
        failure.addSuppressed(more);
        return failure;
    }

    /**
     * Stops the timer and waits (bounded) for a sweep in progress: a sweep that ran on after {@link #close} could
     * find this node's own files half removed and recreate its lock file to check it. Not from the timer thread
     * itself (a request future completed there may close the bus).
     */
    private void stopTimer() {
        timer.shutdown();
        if (Thread.currentThread() == timerThread) {
            return;
        }
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (final InterruptedException ex) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException closeQuietly(final AutoCloseable closeable, final RuntimeException failure) {
        try {
            closeable.close();
            return failure;
        } catch (final Exception ex) {
            if (failure == null) {
                return ex instanceof RuntimeException ? (RuntimeException)ex : new BusException(ex.toString(), ex);
            }
            failure.addSuppressed(ex);
            return failure;
        }
    }

    @Override
    public String toString() {
        return "Bus{uri=" + uri + ", node=" + nodeHex + "}";
    }
}
