package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.BusConfig;
import dev.ipcbus.CodecException;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.ResponderGoneException;
import dev.ipcbus.Subscription;
import dev.ipcbus.frame.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance suite every transport passes: subclass it once per OS layer and name the URI.
 * <pre>{@code
 * class PosixPipeContractIT extends TransportContractTest {
 *     protected String uri(String busName) { return "pipe://" + busName; }
 * }
 * }</pre>
 * Each test opens its own bus with a unique name, closes every node it opened, and checks that the registry
 * directory holds nothing afterwards ({@link #assertNothingLeftBehind(String)}; extend it for transport resources).
 * Cross-process cases start {@link ChildNode}s in child JVMs; a transport that cannot cross processes returns
 * {@code false} from {@link #crossProcess()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportContractTest {
    /** How long a test waits for one expected event. */
    protected static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> backgroundErrors = new CopyOnWriteArrayList<>();
    private String busName;

    /**
     * @param busName a bus name unique to the running test.
     * @return the URI of that bus on the transport under test, e.g. {@code "pipe://" + busName}.
     */
    protected abstract String uri(String busName);

    /**
     * @return whether nodes in different processes can talk (false for {@code inproc}).
     */
    protected boolean crossProcess() {
        return true;
    }

    /**
     * @return whether the transport is engine-routed (an external engine such as NATS routes; no inboxes, no
     * registry files, no backpressure): the cases about those skip, each with its reason.
     */
    protected boolean engineRouted() {
        return false;
    }

    /**
     * Skips the running case on an engine-routed transport.
     *
     * @param why what the case needs that an engine-routed transport does not have.
     */
    protected void assumeInboxTransport(final String why) {
        org.junit.jupiter.api.Assumptions.assumeFalse(engineRouted(), "engine-routed transport: " + why);
    }

    /**
     * @param bus   a node.
     * @param topic the topic of a raw publish.
     * @return the largest raw payload {@code bus} can publish on {@code topic}; override where a message's overhead is
     * not the frame header and the topic.
     */
    protected int maxRawPayload(final Bus bus, final String topic) {
        return bus.maxFrameLength() - FrameDescriptor.HEADER_LENGTH - topic.length();
    }

    /**
     * @param busName a bus name unique to the running test.
     * @return the URI the integrity check runs on; override to make a transport wrap its buffers often (a small
     * ring), which is where framing bugs hide.
     */
    protected String integrityUri(final String busName) {
        return uri(busName);
    }

    /**
     * Checks that the bus left nothing behind once all its nodes closed. The default checks the registry directory;
     * override to also check transport resources (shared memory, socket files), calling {@code super}.
     *
     * @param busName the bus.
     * @throws IOException if the directory cannot be read.
     */
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        final Path directory = busDirectory();
        if (directory == null || !Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            final List<String> left = files.map(path -> path.getFileName().toString())
                .filter(name -> !name.equals("registry.version")).sorted().toList();
            assertEquals(List.of(), left, "files left in " + directory);
        }
    }

    /**
     * Lists the transport resources of this bus that live outside its bus directory (e.g. shared-memory segments in
     * {@code /dev/shm}); each name must contain the id of the node that owns it. The default lists none.
     *
     * @param busName the bus.
     * @return the names of such resources that exist now.
     * @throws IOException if they cannot be listed.
     */
    protected List<String> resourcesOutsideBusDirectory(final String busName) throws IOException {
        return List.of();
    }

    /**
     * @return this test's bus directory under the runtime directory, or {@code null} for a process-local transport.
     */
    protected Path busDirectory() {
        final String uri = uri(busName);
        final String scheme = uri.substring(0, uri.indexOf(':'));
        return dev.ipcbus.registry.RuntimeDirectory.base(null).resolve(scheme).resolve(busName);
    }

    @BeforeEach
    void nameBus(final TestInfo info) {
        final String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
        busName = "ct-" + method.substring(0, Math.min(24, method.length())) + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL);
    }

    @AfterEach
    void closeEverything() throws Exception {
        Collections.reverse(resources);
        final boolean hadChildren = resources.stream().anyMatch(resource -> resource instanceof ChildJvm);
        Exception failure = null;
        for (final AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (final Exception ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
        if (hadChildren && !uri(busName).startsWith("inproc:")) {
            // Children killed by a test leave their registry entry and transport resources until some node notices;
            // notice now, as any node of the bus would, so that the leftover check sees the reclaimed state.
            try (Bus sweeper = Bus.open(uri(busName))) {
                sweeper.nodes();
            }
        }
        try {
            assertNothingLeftBehind(busName);
        } finally {
            final Path directory = busDirectory();
            if (directory != null && Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.list(directory)) {
                    for (final Path file : (Iterable<Path>)files::iterator) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(directory);
            }
        }
    }

    /**
     * Opens a node on this test's bus, closed after the test; background errors are collected.
     *
     * @return the node.
     */
    protected Bus open() {
        return open(uri(busName));
    }

    private Bus open(final String uri) {
        final Bus bus = Bus.open(BusConfig.builder().uri(uri).errorHandler(backgroundErrors::add).build());
        resources.add(bus);
        return bus;
    }

    /**
     * Starts a child JVM node on this test's bus, killed after the test.
     *
     * @param args the {@link ChildNode} mode and arguments.
     * @return the child, once it printed {@code READY}.
     */
    protected ChildJvm child(final String... args) {
        final ChildJvm child = ChildJvm.node(uri(busName), args);
        resources.add(child);
        child.awaitLine("READY", WAIT);
        return child;
    }

    /**
     * @return this test's bus name.
     */
    protected String busName() {
        return busName;
    }

    /**
     * @return errors the nodes reported to their error handlers so far.
     */
    protected List<Throwable> backgroundErrors() {
        return backgroundErrors;
    }

    private static <T> T await(final CompletableFuture<T> future) throws Exception {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final ExecutionException ex) {
            throw ex.getCause() instanceof Exception ? (Exception)ex.getCause() : ex;
        } catch (final TimeoutException ex) {
            throw new AssertionError("future not completed within " + WAIT, ex);
        }
    }

    private static <T> T poll(final LinkedBlockingQueue<T> queue) throws InterruptedException {
        final T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(value, "nothing received within " + WAIT);
        return value;
    }

    /** A message type for the Jackson path. */
    public record Order(String id, int quantity, List<String> items) {
    }

    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldFanOutToEverySubscriber() throws Exception {
        final Bus publisher = open();
        final List<LinkedBlockingQueue<Order>> inboxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final LinkedBlockingQueue<Order> inbox = new LinkedBlockingQueue<>();
            inboxes.add(inbox);
            open().subscribe("orders.>", Order.class, (order, context) -> inbox.add(order));
        }
        final Order order = new Order("A-1", 3, List.of("apple", "pear"));
        publisher.publish("orders.eu.created", order);
        for (final LinkedBlockingQueue<Order> inbox : inboxes) {
            assertEquals(order, poll(inbox));
        }
    }

    @Test
    void shouldDeliverToPublishersOwnSubscription() throws Exception {
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribe("self.test", String.class, (message, context) -> inbox.add(message + "@" + context.senderNode()));
        bus.publish("self.test", "hello");
        assertEquals("hello@" + bus.nodeId(), poll(inbox));
    }

    @Test
    void shouldKeepFifoPerPublisher() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<Integer> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("seq", Integer.class, (value, context) -> inbox.add(value));
        final int count = 2000;
        for (int i = 0; i < count; i++) {
            publisher.publish("seq", i);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i, poll(inbox));
        }
        // Counters are published every sweep (100 ms): another node sees the total shortly.
        final long deadline = System.nanoTime() + WAIT.toNanos();
        long framesSent;
        do {
            framesSent = subscriber.nodes().stream().filter(n -> n.id().equals(publisher.nodeId())).findFirst()
                .orElseThrow().counters().get("framesSent");
            if (framesSent != count) {
                Thread.sleep(20);
            }
        } while (framesSent != count && System.nanoTime() < deadline);
        assertEquals(count, framesSent, "counters readable by another node");
    }

    @Test
    void shouldMatchWildcards() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final Map<String, LinkedBlockingQueue<String>> byPattern = Map.of(
            "a.*.c", new LinkedBlockingQueue<>(),
            "a.>", new LinkedBlockingQueue<>(),
            "a.b.c", new LinkedBlockingQueue<>(),
            "*.b", new LinkedBlockingQueue<>());
        byPattern.forEach((pattern, queue) ->
            subscriber.subscribe(pattern, String.class, (message, context) -> queue.add(context.topic())));
        for (final String topic : List.of("a", "a.b", "a.b.c", "a.x.c", "a.b.c.d", "x.b", "end")) {
            publisher.publish(topic, topic);
        }
        final LinkedBlockingQueue<String> end = new LinkedBlockingQueue<>();
        subscriber.subscribe("end", String.class, (message, context) -> end.add(message));
        publisher.publish("end", "end");
        poll(end); // every earlier message has been dispatched (FIFO per publisher, one receive thread)
        assertEquals(List.of("a.b.c", "a.x.c"), drain(byPattern.get("a.*.c")));
        assertEquals(List.of("a.b", "a.b.c", "a.x.c", "a.b.c.d"), drain(byPattern.get("a.>")));
        assertEquals(List.of("a.b.c"), drain(byPattern.get("a.b.c")));
        assertEquals(List.of("a.b", "x.b"), drain(byPattern.get("*.b")));
    }

    private static List<String> drain(final LinkedBlockingQueue<String> queue) {
        final List<String> list = new ArrayList<>();
        queue.drainTo(list);
        return list;
    }

    @Test
    void shouldReplyToRequest() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("stock.check", Order.class, (order, context) -> order.quantity() * 2);
        final int reply = await(requester.request("stock.check", new Order("B", 21, List.of()), Integer.class,
            WAIT));
        assertEquals(42, reply);
    }

    @Test
    void shouldRunHandlersOnTheGivenExecutorWithGenericTypes() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor(
            runnable -> new Thread(runnable, "contract-executor"));
        try {
            final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            subscriber.subscribe("exec", String.class, (message, context) ->
                inbox.add(Thread.currentThread().getName() + ":" + message + ":" + context.topic()), executor);
            final LinkedBlockingQueue<List<Order>> lists = new LinkedBlockingQueue<>();
            subscriber.subscribe("generic", new com.fasterxml.jackson.core.type.TypeReference<List<Order>>() { },
                (orders, context) -> lists.add(orders));
            publisher.publish("exec", "hi");
            publisher.publish("generic", List.of(new Order("G", 1, List.of("x"))));
            assertEquals("contract-executor:hi:exec", poll(inbox));
            assertEquals(List.of(new Order("G", 1, List.of("x"))), poll(lists));
            subscriber.respond("generic.reply", String.class, (request, context) -> Map.of("k", List.of(1, 2)));
            final Map<String, List<Integer>> reply = await(publisher.request("generic.reply", "?",
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, List<Integer>>>() { }, WAIT));
            assertEquals(Map.of("k", List.of(1, 2)), reply);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldReplyFromCompletionStage() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("async", String.class,
            (request, context) -> CompletableFuture.supplyAsync(() -> request.toUpperCase()));
        assertEquals("PING", await(requester.request("async", "ping", String.class, WAIT)));
    }

    @Test
    void shouldSpreadRequestsOverResponders() throws Exception {
        final Bus requester = open();
        open().respond("who", String.class, (request, context) -> "one");
        open().respond("who", String.class, (request, context) -> "two");
        final List<String> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(await(requester.request("who", "?", String.class, WAIT)));
        }
        assertTrue(replies.contains("one") && replies.contains("two"), "round robin: " + replies);
    }

    @Test
    void shouldTimeOutRequest() throws Exception {
        final Bus requester = open();
        open().respond("slow", String.class, (request, context) -> new CompletableFuture<String>());
        final long start = System.nanoTime();
        final CompletableFuture<String> reply = requester.request("slow", "x", String.class, Duration.ofMillis(300));
        assertThrows(RequestTimeoutException.class, () -> await(reply));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "timed out too early");
    }

    @Test
    void shouldFailAtOnceWithoutResponder() {
        final Bus requester = open();
        final CompletableFuture<String> reply = requester.request("nobody.home", "x", String.class,
            Duration.ofSeconds(30));
        if (!engineRouted()) {
            assertTrue(reply.isDone(), "must fail at once, not after the timeout");
        }
        // an engine answers "no responders" after one round trip: long before the timeout
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> reply.get(5, TimeUnit.SECONDS));
        assertInstanceOf(NoResponderException.class, ex.getCause());
    }

    @Test
    void shouldCarryResponderException() throws Exception {
        final Bus requester = open();
        open().respond("fails", String.class, (request, context) -> {
            throw new IllegalStateException("out of stock: " + request);
        });
        final ResponderFailedException ex = assertThrows(ResponderFailedException.class,
            () -> await(requester.request("fails", "A-7", String.class, WAIT)));
        assertEquals(IllegalStateException.class.getName(), ex.remoteType());
        assertEquals("out of stock: A-7", ex.remoteMessage());
    }

    @Test
    void shouldCarryPayloadsUpToTheMaximumAndRefuseOneByteMore() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribeRaw("blob", (payload, context) -> {
            final byte[] bytes = new byte[payload.readableBytes()];
            payload.getBytes(payload.readerIndex(), bytes);
            inbox.add(bytes);
        });
        final int max = maxRawPayload(publisher, "blob");
        for (final int size : new int[] {0, 1, 7, 1000, 4093, max / 2 + 3, max}) {
            final byte[] payload = new byte[size];
            ThreadLocalRandom.current().nextBytes(payload);
            publisher.publishRaw("blob", payload);
            assertArrayEquals(payload, poll(inbox), "size " + size);
        }
        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> publisher.publishRaw("blob", new byte[max + 1]));
        assertEquals(publisher.maxFrameLength(), ex.maxLength());
        publisher.publishRaw("blob", new byte[] {42});
        assertArrayEquals(new byte[] {42}, poll(inbox), "still working after the refusal");
    }

    /**
     * Issue 13: several publisher processes, payload sizes across the transport's whole range (exactly its limit
     * included), checksummed, with per-publisher sequence numbers; a fast and a slow subscriber. Every payload
     * arrives at each subscriber exactly once, intact and in per-publisher order, or its publish threw. Seconds by
     * default; a soak with {@code -Dipcbus.integrity.seconds=600 -Dipcbus.integrity.messages=100000000
     * -Dipcbus.integrity.megabytes=100000}.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldDeliverEveryPayloadExactlyOnceIntactAndInOrderOrThrow() throws Exception {
        checkIntegrity(3, false);
    }

    /**
     * Issue 13: publisher processes stopped ({@code SIGSTOP}) at random moments for longer than any stall timeout
     * (filemap's integrity URI sets 300 ms), in the middle of a write or not, then continued: nothing is lost,
     * duplicated or damaged; a pause is not a death.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    @org.junit.jupiter.api.condition.EnabledOnOs({org.junit.jupiter.api.condition.OS.LINUX,
        org.junit.jupiter.api.condition.OS.MAC})
    void shouldLoseNothingWhenPublishersArePausedMidStream() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        checkIntegrity(2, true);
    }

    private void checkIntegrity(final int publishers, final boolean pause) throws Exception {
        final int seconds = Integer.getInteger("ipcbus.integrity.seconds", 4);
        final long messages = Long.getLong("ipcbus.integrity.messages", 2000);
        final long bytes = Long.getLong("ipcbus.integrity.megabytes", 40) << 20;
        final IntegrityLedger[] ledgers = {new IntegrityLedger("fast", false), new IntegrityLedger("slow", true)};
        final String uri = integrityUri(busName);
        for (final IntegrityLedger ledger : ledgers) {
            open(uri).subscribeRaw("integrity.>", ledger);
        }
        final List<CompletableFuture<List<String>>> outputs = new ArrayList<>();
        final List<ChildJvm> children = new ArrayList<>();
        for (int id = 0; id < publishers; id++) {
            final String[] args = {uri, Integer.toString(id), Integer.toString(seconds),
                Long.toString(messages), Long.toString(bytes), Long.toString(0x5EED + id)};
            if (crossProcess()) {
                final ChildJvm child = ChildJvm.start(IntegrityPublisher.class, List.of(), args);
                resources.add(child);
                children.add(child);
                child.awaitLine("READY", WAIT);
                outputs.add(CompletableFuture.supplyAsync(() -> {
                    child.awaitLine("DONE", Duration.ofSeconds(seconds + 120L));
                    return child.seenLines();
                }));
            } else {
                final Bus publisher = open(uri);
                final int id0 = id;
                outputs.add(CompletableFuture.supplyAsync(() -> {
                    final java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
                    IntegrityPublisher.run(publisher, id0, seconds, messages, bytes, 0x5EED + id0,
                        new java.io.PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8));
                    return List.of(lines.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n"));
                }));
            }
        }
        if (pause) {
            final java.util.Random random = new java.util.Random();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int round = 0; System.nanoTime() < deadline; round++) {
                // Durations of the pauses under test, not waits for an event.
                Thread.sleep(100 + random.nextInt(400));
                final ChildJvm child = children.get(round % publishers);
                if (outputs.get(round % publishers).isDone()) {
                    continue;
                }
                signal("STOP", child.pid());
                try {
                    Thread.sleep(700);
                } finally {
                    signal("CONT", child.pid());
                }
            }
        }
        long totalSent = 0;
        for (int id = 0; id < publishers; id++) {
            final List<String> lines = outputs.get(id).get(seconds + 150L, TimeUnit.SECONDS);
            final java.util.Set<Long> failed = new java.util.TreeSet<>();
            long sent = -1;
            for (final String line : lines) {
                if (line.startsWith("FAILED ")) {
                    failed.add(Long.parseLong(line.split(" ")[1]));
                } else if (line.startsWith("DONE ")) {
                    sent = Long.parseLong(line.split(" ")[1]);
                }
            }
            assertTrue(sent > 0, "publisher " + id + " sent nothing: " + lines);
            totalSent += sent;
            for (final IntegrityLedger ledger : ledgers) {
                final int publisher = id;
                awaitTrue(() -> ledger.end(publisher) != null, "end marker of publisher " + id);
                assertEquals(sent, ledger.end(publisher));
                final java.util.Set<Long> gaps = ledger.gaps(publisher);
                gaps.removeAll(failed);
                assertEquals(java.util.Set.of(), gaps, "payloads lost without an exception (publisher " + id + ")");
            }
        }
        for (final IntegrityLedger ledger : ledgers) {
            assertEquals(List.of(), ledger.problems());
            assertTrue(ledger.received() > totalSent / 2, "received " + ledger.received() + " of " + totalSent);
        }
        assertEquals(List.of(), backgroundErrors(), "errors reported by the subscribers");
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void shouldPublishRawByteBufWithoutChangingIt() throws Exception {
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribeRaw("raw", (payload, context) -> inbox.add(payload.toString(java.nio.charset.StandardCharsets
            .US_ASCII)));
        final ByteBuf payload = Unpooled.copiedBuffer("xxhello", java.nio.charset.StandardCharsets.US_ASCII);
        try {
            payload.readerIndex(2);
            bus.publishRaw("raw", payload);
            assertEquals(2, payload.readerIndex());
            assertEquals("hello", poll(inbox));
        } finally {
            payload.release();
        }
    }

    @Test
    void shouldCarryHeadersAndMetadata() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<dev.ipcbus.MessageContext> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("meta", String.class, (message, context) -> inbox.add(context.copy()));
        final long before = System.currentTimeMillis();
        publisher.publish("meta", "x", Map.of("trace-id", "abc123", "tenant", "ünï"));
        final dev.ipcbus.MessageContext context = poll(inbox);
        assertEquals("meta", context.topic());
        assertEquals(publisher.nodeId(), context.senderNode());
        assertEquals(Map.of("trace-id", "abc123", "tenant", "ünï"), context.headers());
        assertTrue(Math.abs(context.timestampNanos() / 1_000_000 - before) < 60_000, "timestamp near now");
    }

    @Test
    void shouldAcceptManyPublisherThreadsAtOnce() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final int threads = 4;
        final int perThread = 500;
        final LinkedBlockingQueue<int[]> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("mt", int[].class, (value, context) -> inbox.add(value));
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            final Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        publisher.publish("mt", new int[] {thread, i});
                    }
                } catch (final Throwable ex) {
                    failures.add(ex);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        final int[] next = new int[threads];
        for (int i = 0; i < threads * perThread; i++) {
            final int[] value = poll(inbox);
            assertEquals(next[value[0]]++, value[1], "per-thread order for thread " + value[0]);
        }
        for (final Thread worker : workers) {
            worker.join(WAIT.toMillis());
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldDeliverToLateSubscriber() throws Exception {
        final Bus publisher = open();
        publisher.publish("late", "before anyone listens");
        final Bus subscriber = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("late", String.class, (message, context) -> inbox.add(message));
        publisher.publish("late", "after subscribe returned");
        assertEquals("after subscribe returned", poll(inbox));
    }

    @Test
    void shouldStopDeliveringAfterUnsubscribe() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final Subscription subscription = subscriber.subscribe("un", String.class, (m, c) -> inbox.add(m));
        final LinkedBlockingQueue<String> marker = new LinkedBlockingQueue<>();
        subscriber.subscribe("marker", String.class, (m, c) -> marker.add(m));
        publisher.publish("un", "one");
        assertEquals("one", poll(inbox));
        subscription.close();
        publisher.publish("un", "two");
        publisher.publish("marker", "done");
        poll(marker);
        assertEquals(List.of(), drain(inbox));
    }

    @Test
    void shouldReportUndecodableMessageAndKeepReceiving() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<Order> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("typed", Order.class, (order, context) -> inbox.add(order));
        publisher.publish("typed", List.of("not", "an", "order"));
        publisher.publishRaw("typed", "{\"id\": \"trunc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final Order good = new Order("C", 1, List.of());
        publisher.publish("typed", good);
        assertEquals(good, poll(inbox));
        assertTrue(backgroundErrors().stream().anyMatch(e -> e instanceof CodecException
            && e.getMessage().contains("topic=typed")), "codec errors reported: " + backgroundErrors());
    }

    @Test
    void shouldRefuseBadTopicsAndPatterns() {
        final Bus bus = open();
        assertThrows(IllegalArgumentException.class, () -> bus.publish("", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a..b", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a.*", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a b", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("x".repeat(256), "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.subscribe("a.>.b", String.class, (m, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> bus.subscribe("a.b*", String.class, (m, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> bus.respond("a.*", String.class, (m, c) -> m));
    }

    @Test
    void shouldReleaseEverythingOnClose() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("never", String.class, (request, context) -> new CompletableFuture<String>());
        final CompletableFuture<String> pending = requester.request("never", "x", String.class,
            Duration.ofSeconds(30));
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        requester.subscribe("gone", String.class, (m, c) -> inbox.add(m));
        requester.close();
        assertThrows(BusClosedException.class, () -> await(pending));
        assertThrows(BusClosedException.class, () -> requester.publish("x", "y"));
        assertThrows(BusClosedException.class, () -> requester.request("never", "x", String.class, WAIT));
        assertThrows(BusClosedException.class, () -> requester.subscribe("gone.again", String.class, (m, c) -> { }));
        assertTrue(responder.nodes().stream().noneMatch(node -> node.id().equals(requester.nodeId())),
            "closed node left the registry");
        responder.publish("gone", "nobody");
        requester.close(); // idempotent
    }

    @Test
    void shouldListLiveNodes() {
        final Bus one = open();
        final Bus two = open();
        two.subscribe("list.me", String.class, (m, c) -> { });
        final List<NodeInfo> nodes = one.nodes();
        assertEquals(2, nodes.size(), nodes.toString());
        final NodeInfo info = nodes.stream().filter(n -> n.id().equals(two.nodeId())).findFirst().orElseThrow();
        assertTrue(info.alive());
        assertEquals(List.of("list.me"), info.subscriptions());
        assertEquals(ProcessHandle.current().pid(), info.pid());
        assertTrue(info.counters().containsKey("framesReceived"), info.counters().toString());
    }

    @Test
    void shouldSurviveGarbageFromAForeignWriter() throws Exception {
        assumeInboxTransport("no inbox a foreign writer can reach; foreign clients of the engine are tested "
                + "by the transport (plain NATS clients)");
        final Bus publisher = open();
        final Bus victim = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final List<String> topicsSeen = new CopyOnWriteArrayList<>();
        victim.subscribeRaw(">", (payload, context) -> topicsSeen.add(context.topic())); // runs first: subscribed first
        victim.subscribeRaw("after.garbage", (payload, context) -> inbox.add(payload.toString(
            java.nio.charset.StandardCharsets.UTF_8)));
        final NodeInfo target = victim.nodes().stream().filter(n -> n.id().equals(victim.nodeId())).findFirst()
            .orElseThrow();
        final dev.ipcbus.BusUri parsed = dev.ipcbus.BusUri.parse(uri(busName));
        final dev.ipcbus.spi.TransportProvider provider = java.util.ServiceLoader
            .load(dev.ipcbus.spi.TransportProvider.class).stream().map(java.util.ServiceLoader.Provider::get)
            .filter(p -> p.scheme().equals(parsed.scheme())).findFirst().orElseThrow();
        final List<byte[]> garbage = garbageFrames();
        final Path directory = busDirectory();
        try (dev.ipcbus.spi.Transport foreign = provider.create(new dev.ipcbus.spi.TransportContext(busName,
            new dev.ipcbus.spi.TransportOptions(parsed.options()), directory == null ? Path.of(".") : directory,
            id -> true, backgroundErrors::add));
             dev.ipcbus.spi.Outlet outlet = foreign.openOutlet(dev.ipcbus.spi.NodeIds.parse(target.id()),
                 target.address())) {
            for (final byte[] frame : garbage) {
                final ByteBuf buffer = Unpooled.wrappedBuffer(frame);
                assertEquals(dev.ipcbus.spi.Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(5)));
            }
        }
        publisher.publishRaw("after.garbage", "still alive".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("still alive", poll(inbox));
        // The garbage came over another connection than the good message (transports may read connections on
        // different threads): wait for the count rather than read it once.
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Long> counters;
        do {
            counters = publisher.nodes().stream().filter(n -> n.id().equals(victim.nodeId())).findFirst()
                .orElseThrow().counters();
            if (counters.get("malformedFrames") < garbage.size() - 1) {
                Thread.sleep(20);
            }
        } while (counters.get("malformedFrames") < garbage.size() - 1 && System.nanoTime() < deadline);
        assertTrue(counters.get("malformedFrames") >= garbage.size() - 1, "garbage counted: " + counters);
        assertEquals(List.of("after.garbage"), topicsSeen, "frames with topics that break the rules never delivered");
        assertTrue(backgroundErrors().stream().anyMatch(e -> e instanceof dev.ipcbus.FrameFormatException),
            "garbage reported: " + backgroundErrors());
    }

    private static List<byte[]> garbageFrames() {
        final java.util.Random random = new java.util.Random(7);
        final List<byte[]> frames = new ArrayList<>();
        for (final int size : new int[] {1, 3, 55, 56, 57, 200}) {
            final byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            frames.add(bytes);
        }
        final ByteBuf valid = Unpooled.buffer();
        try {
            final int start = dev.ipcbus.frame.FrameEncoder.begin(valid, FrameDescriptor.TYPE_PUBLISH, 0,
                FrameDescriptor.CONTENT_TYPE_RAW, 1, 0, 0, 0, "after.garbage".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), Map.of());
            valid.writeBytes(new byte[] {1, 2, 3});
            dev.ipcbus.frame.FrameEncoder.finish(valid, start);
            final byte[] good = new byte[valid.readableBytes()];
            valid.getBytes(0, good);
            frames.add(java.util.Arrays.copyOf(good, good.length - 2)); // truncated
            final byte[] hugeClaim = good.clone();
            java.nio.ByteBuffer.wrap(hugeClaim).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(FrameDescriptor.PAYLOAD_LENGTH_OFFSET, Integer.MAX_VALUE)
                .putInt(FrameDescriptor.FRAME_LENGTH_OFFSET, Integer.MAX_VALUE);
            frames.add(hugeClaim);
            final byte[] badMagic = good.clone();
            badMagic[0] ^= 0x5A;
            frames.add(badMagic);
            final byte[] newerMajor = good.clone();
            newerMajor[FrameDescriptor.MAJOR_VERSION_OFFSET] = 9;
            frames.add(newerMajor);
            // Well-formed frames whose topic (same length as "after.garbage") breaks the topic rules.
            for (final byte[] topic : List.of("after.>.x.y.z".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "after..garbag".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "after garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                new byte[] {'a', 'f', 't', 'e', 'r', '.', (byte)0xC3, 0x28, 'r', 'b', 'a', 'g', 'e'})) {
                final byte[] badTopic = good.clone();
                System.arraycopy(topic, 0, badTopic, FrameDescriptor.HEADER_LENGTH, topic.length);
                frames.add(badTopic);
            }
        } finally {
            valid.release();
        }
        return frames;
    }

    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs({org.junit.jupiter.api.condition.OS.LINUX,
        org.junit.jupiter.api.condition.OS.MAC})
    void shouldTreatAPausedSubscriberAsAlive() throws Exception {
        assumeInboxTransport("the node listing shows the nodes that answer; a paused node is silent until it "
                + "resumes (NATS keeps its subscriptions meanwhile)");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus publisher = open();
        final ChildJvm child = child("subscribe", "pause.>");
        signal("STOP", child.pid());
        // A small inbox fills while its reader is stopped: the writer waits (bounded by publishTimeout, 5 s by
        // default) and resumes when the reader does.
        final CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 40; i++) {
                publisher.publish("pause.n", "p" + i);
            }
        });
        try {
            Thread.sleep(1500); // longer than the nodes' full liveness sweep
            assertTrue(publisher.nodes().stream().anyMatch(n -> n.pid() == child.pid() && n.alive()),
                "a stopped process is paused, not dead: " + publisher.nodes());
        } finally {
            signal("CONT", child.pid());
        }
        await(publishing);
        for (int i = 0; i < 40; i++) {
            assertEquals("GOT pause.n p" + i, child.awaitLine("GOT", WAIT));
        }
    }

    private static void signal(final String signal, final long pid) throws Exception {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }

    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void shouldKeepOtherUsersOut() throws Exception {
        assumeInboxTransport("no files: who may connect is the engine's authentication (user/password, token, "
                + "credentials, TLS)");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "needs root to run a probe as user nobody");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser"))
            && Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/sbin/runuser and /usr/bin/python3");
        final Bus bus = open();
        bus.subscribe("secret", String.class, (m, c) -> { });
        final List<String> paths = new ArrayList<>();
        final Path directory = busDirectory();
        paths.add(directory.toString());
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> paths.add(file.toString()));
        }
        for (final NodeInfo node : bus.nodes()) {
            if (node.address().startsWith("/") && Files.exists(Path.of(node.address()))) {
                paths.add(node.address());
                final java.util.Set<java.nio.file.attribute.PosixFilePermission> mode =
                    Files.getPosixFilePermissions(Path.of(node.address()));
                assertTrue(mode.stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")),
                    "inbox " + node.address() + " is private: " + mode);
            }
        }
        final String probe = String.join("\n",
            "import os, socket, sys",
            "for path in sys.argv[1:]:",
            "    for flags in (os.O_RDONLY, os.O_WRONLY):",
            "        try:",
            "            os.close(os.open(path, flags)); print('REACHED open', path)",
            "        except OSError: pass",
            "    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET):",
            "        s = socket.socket(socket.AF_UNIX, kind)",
            "        try:",
            "            s.connect(path); print('REACHED connect', path)",
            "        except OSError: pass",
            "        finally: s.close()",
            "    try:",
            "        os.listdir(path); print('REACHED list', path)",
            "    except OSError: pass",
            "print('DONE')");
        final List<String> command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--",
            "/usr/bin/python3", "-c", probe));
        command.addAll(paths);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.contains("DONE"), "probe ran as nobody: " + output);
        assertFalse(output.contains("REACHED"), "another user reached the bus: " + output);
    }

    /**
     * Opens a node with one more URI option.
     *
     * @param option e.g. {@code publishTimeout=300ms}.
     * @return the node, closed after the test.
     */
    protected Bus openWith(final String option) {
        final String base = uri(busName);
        final Bus bus = Bus.open(BusConfig.builder().uri(base + (base.contains("?") ? "&" : "?") + option)
            .errorHandler(backgroundErrors::add).build());
        resources.add(bus);
        return bus;
    }

    @Test
    void shouldFailWithBackpressureNamingTheSlowNodeAndRecover() throws Exception {
        assumeInboxTransport("no backpressure (NATS drops for a slow consumer, reports and counts it), no "
                + "publishTimeout option");
        final Bus publisher = openWith("publishTimeout=300ms");
        final Bus slow = open();
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        slow.subscribeRaw("flood", (payload, context) -> {
            received.incrementAndGet();
            release.await();
        });
        final byte[] payload = new byte[Math.min(1024, publisher.maxFrameLength() / 4)];
        dev.ipcbus.BackpressureTimeoutException failure = null;
        int sent = 0;
        for (; sent < 200_000 && failure == null; sent++) {
            try {
                publisher.publishRaw("flood", payload);
            } catch (final dev.ipcbus.BackpressureTimeoutException ex) {
                failure = ex;
            }
        }
        assertNotNull(failure, "a full inbox must push back within " + sent + " messages");
        assertEquals(slow.nodeId(), failure.node(), failure.getMessage());
        assertTrue(failure.getMessage().contains("topic=flood"), failure.getMessage());
        release.countDown();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.get() < sent - 1) {
            assertTrue(System.nanoTime() < deadline, "queued messages drained: " + received.get() + "/" + (sent - 1));
            Thread.sleep(10);
        }
        publisher.publishRaw("flood", payload);
        while (received.get() < sent) {
            assertTrue(System.nanoTime() < deadline, "publishing works again");
            Thread.sleep(10);
        }
    }

    @Test
    void shouldServeSixtyFourNodesOnOneBus() throws Exception {
        final Bus publisher = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        for (int i = 0; i < 63; i++) {
            final String name = "n" + i;
            open().subscribe("all.>", String.class, (message, context) -> inbox.add(name + ":" + message));
        }
        assertEquals(64, publisher.nodes().size());
        publisher.publish("all.hands", "hello");
        final java.util.Set<String> got = new java.util.TreeSet<>();
        for (int i = 0; i < 63; i++) {
            got.add(poll(inbox));
        }
        assertEquals(63, got.size(), got.toString());
    }

    @Test
    void shouldKeepMemoryBoundedWithManyTopics() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        for (int p = 0; p < 50; p++) {
            subscriber.subscribeRaw("many.p" + p + ".>", (payload, context) -> count.incrementAndGet());
        }
        final int topics = 6_000; // beyond every per-topic cache bound (4096)
        for (int i = 0; i < topics; i++) {
            publisher.publishRaw("many.p" + (i % 50) + ".t" + i, new byte[] {1});
        }
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (count.get() < topics) {
            assertTrue(System.nanoTime() < deadline, "received " + count.get() + " of " + topics);
            Thread.sleep(10);
        }
    }

    // ---------------------------------------------------------------- cross-process

    @Test
    void shouldPublishAndSubscribeAcrossProcesses() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        final ChildJvm child = child("subscribe", "to.child.>");
        final LinkedBlockingQueue<String> fromChild = new LinkedBlockingQueue<>();
        bus.subscribe("child.in", String.class, (message, context) -> fromChild.add(message));
        for (int i = 0; i < 20; i++) {
            bus.publish("to.child.n" + i, "hello-" + i);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("GOT to.child.n" + i + " hello-" + i, child.awaitLine("GOT", WAIT));
        }
        child.send("back at you");
        assertEquals("back at you", poll(fromChild));
        assertEquals(0, child.stop(WAIT));
    }

    @Test
    void shouldReceiveFromChildPublisher() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribe("from.child", String.class, (message, context) -> inbox.add(message));
        final ChildJvm child = child("publish", "from.child", "500");
        for (int i = 0; i < 500; i++) {
            assertEquals("m" + i, poll(inbox));
        }
        child.awaitLine("DONE", WAIT);
    }

    @Test
    void shouldRequestAndReplyAcrossProcesses() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        child("respond", "echo.service");
        assertEquals("echo:hi", await(bus.request("echo.service", "hi", String.class, WAIT)));
        bus.respond("parent.service", String.class, (request, context) -> "parent got " + request);
        final ChildJvm requester = child("request", "parent.service");
        assertEquals("REPLY parent got ping", requester.awaitLine("REPLY", WAIT));
    }

    @Test
    void shouldFailRequestWhenResponderProcessIsKilled() throws Exception {
        assumeInboxTransport("the engine cannot tell a killed responder from a slow one: the request times "
                + "out (RequestTimeoutException)");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        final ChildJvm child = child("hang", "hang.service");
        final CompletableFuture<String> reply = bus.request("hang.service", "x", String.class,
            Duration.ofSeconds(45));
        Thread.sleep(200); // let the request reach the child
        final long killed = System.nanoTime();
        child.kill();
        assertThrows(ResponderGoneException.class, () -> await(reply));
        assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(15),
            "responder gone must be noticed long before the 45 s timeout");
    }

    @Test
    void shouldSendRequestsToALiveResponderRightAfterAnotherWasKilled() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        final ChildJvm victim = child("respond", "pick.service");
        child("respond", "pick.service");
        for (int i = 0; i < 2; i++) { // round robin: both responders answered, so outlets to both are open
            assertEquals("echo:warm" + i, await(bus.request("pick.service", "warm" + i, String.class, WAIT)));
        }
        // SIGKILL, waited for: its lock is released, but no node has noticed (no sweep ran in between, and none is
        // waited for). Every request must go to the survivor, whichever responder round robin picks first.
        victim.kill();
        for (int i = 0; i < 6; i++) {
            assertEquals("echo:r" + i, await(bus.request("pick.service", "r" + i, String.class, WAIT)), "request " + i);
        }
    }

    @Test
    void shouldReclaimKilledChildAndKeepServingOthers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        final ChildJvm victim = child("subscribe", "news.>");
        final ChildJvm survivor = child("subscribe", "news.>");
        final String victimId = victim.seenLines().get(victim.seenLines().size() - 1).substring("READY ".length());
        bus.publish("news.one", "first");
        victim.awaitLine("GOT news.one", WAIT);
        survivor.awaitLine("GOT news.one", WAIT);
        victim.kill();
        for (int i = 0; i < 50; i++) {
            bus.publish("news.more", "n" + i);
        }
        for (int i = 0; i < 50; i++) {
            assertEquals("GOT news.more n" + i, survivor.awaitLine("GOT", WAIT));
        }
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (bus.nodes().stream().anyMatch(node -> node.id().equals(victimId))) {
            assertTrue(System.nanoTime() < deadline, "killed node never reclaimed: " + bus.nodes());
            Thread.sleep(50);
        }
        assertFalse(bus.nodes().stream().anyMatch(node -> !node.alive()), "dead nodes listed: " + bus.nodes());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Crashes and failures while a node starts (issue 13, item 3): every resource is reclaimable from the moment it
    // exists. Stages are those of dev.ipcbus.internal.StartupStages.

    private static final List<String> STARTUP_STAGES = List.of("locked", "inbox", "registered");

    @Test
    void shouldLeaveNothingAfterAKillAtAnyStartupStage() throws Exception {
        assumeInboxTransport("no registry lock, inbox or file is created at start-up: a killed node leaves "
                + "only its connection, which the server drops");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        for (final String stage : STARTUP_STAGES) {
            killAtStartup(stage);
        }
        try (Bus cleaner = Bus.open(uri(busName))) {
            final List<String> dead = cleaner.nodes().stream().filter(node -> !node.alive()).map(NodeInfo::id)
                .toList();
            assertEquals(STARTUP_STAGES.size(), dead.size(), "every node killed while starting is found: " + dead);
        }
        assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind after the cleaner's nodes()");
        assertNothingLeftBehind(busName);
    }

    @Test
    void shouldReclaimNodesKilledWhileStartingInTheNextSweep() throws Exception {
        assumeInboxTransport("no registry lock, inbox or file is created at start-up: a killed node leaves "
                + "only its connection, which the server drops");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Bus bus = open();
        for (final String stage : STARTUP_STAGES) {
            killAtStartup(stage);
        }
        final long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> left = filesOfNodesOtherThan(bus.nodeId());
        while (!left.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the live node's sweeps never reclaimed: " + left);
            Thread.sleep(50); // polls what the node's timer does about once a second
            left = filesOfNodesOtherThan(bus.nodeId());
        }
    }

    @Test
    void shouldLeaveNothingAfterKillsRightAfterTheLockFileAppears() throws Exception {
        assumeInboxTransport("no registry lock, inbox or file is created at start-up: a killed node leaves "
                + "only its connection, which the server drops");
        org.junit.jupiter.api.Assumptions.assumeTrue(crossProcess(), "transport is process-local");
        final Path directory = busDirectory();
        for (int i = 0; i < 4; i++) {
            final List<String> before = filesOfNodesOtherThan("");
            final ChildJvm child = ChildJvm.node(uri(busName), "subscribe", "x.>");
            resources.add(child);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!hasNewLockFile(directory, before)) {
                assertTrue(child.process().isAlive() && System.nanoTime() < deadline,
                    "no lock file appeared: child=" + child.pid() + ", stderr=" + child.stderr());
                Thread.onSpinWait();
            }
            child.kill();
        }
        try (Bus cleaner = Bus.open(uri(busName))) {
            cleaner.nodes();
        }
        assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind after the cleaner's nodes()");
        assertNothingLeftBehind(busName);
    }

    @Test
    void shouldReleaseEverythingWhenOpenFailsAtAnyStartupStage() throws Exception {
        assumeInboxTransport("no registry lock, inbox or file is created at start-up: a killed node leaves "
                + "only its connection, which the server drops");
        for (final String stage : STARTUP_STAGES) {
            System.setProperty("ipcbus.test.startupFail", stage);
            try {
                final dev.ipcbus.BusException ex = assertThrows(dev.ipcbus.BusException.class,
                    () -> Bus.open(uri(busName)).close());
                assertTrue(ex.getMessage().contains("stage=" + stage), ex.getMessage());
            } finally {
                System.clearProperty("ipcbus.test.startupFail");
            }
            // At once, before any other node could sweep: the failed open itself released everything.
            assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind by an open failing at " + stage);
        }
        assertNothingLeftBehind(busName);
    }

    /** Starts a child node that pauses at {@code stage} of its start-up, and kills it there. */
    private void killAtStartup(final String stage) {
        final ChildJvm child = ChildJvm.start(ChildNode.class, List.of("ipcbus.test.startupPause=" + stage),
            uri(busName), "subscribe", "x.>");
        resources.add(child);
        child.awaitLine("IPCBUS-STARTUP " + stage, WAIT);
        child.kill();
    }

    /**
     * @param nodeId a node to leave out, or {@code ""}.
     * @return the files of the bus directory other than the change counter, and the transport resources outside it,
     * that do not belong to {@code nodeId}.
     */
    private List<String> filesOfNodesOtherThan(final String nodeId) throws IOException {
        final List<String> files = new ArrayList<>();
        final Path directory = busDirectory();
        if (directory != null && Files.isDirectory(directory)) {
            try (Stream<Path> list = Files.list(directory)) {
                list.map(path -> path.getFileName().toString()).filter(name -> !name.equals("registry.version"))
                    .forEach(files::add);
            }
        }
        files.addAll(resourcesOutsideBusDirectory(busName));
        return files.stream().filter(name -> nodeId.isEmpty() || !name.contains(nodeId)).sorted().toList();
    }

    private static boolean hasNewLockFile(final Path directory, final List<String> before) throws IOException {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(path -> path.getFileName().toString())
                .anyMatch(name -> name.endsWith(".lock") && !before.contains(name));
        } catch (final java.nio.file.NoSuchFileException ex) {
            return false;
        }
    }
}
