// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.Subscription;
import dev.ipcbus.TransportUnavailableException;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bus API through {@code nats://} on a real {@code nats-server} (one server on a free loopback port): typed and
 * raw publish/subscribe, request/reply with its failures, headers, the node listing, interoperation with a plain
 * jnats client that knows nothing of ipcbus, and the clear errors for bad URIs, unreachable servers and wrong
 * credentials. Skipped, with the reason, where {@code nats-server} is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NatsBusIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static NatsServers servers;
    private static NatsServers.Server server;
    private static final AtomicInteger BUS_NAMES = new AtomicInteger();
    private static final String PROBE = "probe";

    /** A typed message. */
    public record Order(String id, int quantity) {
    }

    @BeforeAll
    static void startServer() {
        NatsServers.assumeInstalled();
        servers = new NatsServers();
        server = servers.startOne();
    }

    @AfterAll
    static void stopServer() {
        if (servers != null) {
            servers.close();
        }
    }

    private static String busName() {
        return "natsit" + BUS_NAMES.incrementAndGet();
    }

    private static Bus open(final String busName) {
        return Bus.open("nats://" + server.address() + "/" + busName);
    }

    /** The next value that is not about a probe of {@link #awaitInterest} (probes still in flight may follow). */
    private static <T> T poll(final BlockingQueue<T> queue) throws InterruptedException {
        while (true) {
            final T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(value, "nothing arrived within " + WAIT);
            if (!String.valueOf(value).contains(PROBE)) {
                return value;
            }
        }
    }

    /** Publishes until the subscriber's first message arrives: subscriptions reach the server asynchronously. */
    private static void awaitInterest(final Bus publisher, final String topic, final BlockingQueue<?> received)
        throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            publisher.publish(topic, new Order(PROBE, 0));
            if (received.poll(50, TimeUnit.MILLISECONDS) != null) {
                received.clear();
                return;
            }
        }
        throw new AssertionError("subscription not visible within " + WAIT);
    }

    @Test
    void shouldDeliverTypedMessagesToMatchingSubscriptionsOfAnotherNode() throws Exception {
        final String bus = busName();
        try (Bus publisher = open(bus); Bus subscriber = open(bus)) {
            final BlockingQueue<Order> orders = new ArrayBlockingQueue<>(100);
            final BlockingQueue<String> topics = new ArrayBlockingQueue<>(100);
            subscriber.subscribe("orders.*", Order.class, (order, context) -> {
                orders.add(order);
                topics.add(context.topic() + "|" + context.senderNode() + "|" + context.headers());
            });
            awaitInterest(publisher, "orders.probe", orders);
            publisher.publish("orders.created", new Order("A-1", 3), Map.of("trace", "t-1"));
            publisher.publish("stock.changed", new Order("ignored", 1));
            publisher.publish("orders.paid", new Order("A-2", 5));
            assertEquals(new Order("A-1", 3), poll(orders));
            assertEquals("orders.created|" + publisher.nodeId() + "|{trace=t-1}", poll(topics));
            assertEquals(new Order("A-2", 5), poll(orders));
            final Order late = orders.poll(200, TimeUnit.MILLISECONDS);
            assertTrue(late == null || late.id().equals(PROBE), "a message outside the pattern arrived: " + late);
        }
    }

    @Test
    void shouldNeverMixTwoBusesOnOneServer() throws Exception {
        try (Bus shop = open(busName()); Bus other = open(busName()); Bus shopPublisher = Bus.open(
            "nats://" + server.address() + "/" + shop.uri().busName())) {
            final BlockingQueue<Order> inShop = new ArrayBlockingQueue<>(100);
            final BlockingQueue<Order> inOther = new ArrayBlockingQueue<>(100);
            shop.subscribe(">", Order.class, (order, context) -> inShop.add(order));
            other.subscribe(">", Order.class, (order, context) -> inOther.add(order));
            awaitInterest(shopPublisher, "x", inShop);
            shopPublisher.publish("orders.created", new Order("S", 1));
            assertEquals(new Order("S", 1), poll(inShop));
            assertNull(inOther.poll(200, TimeUnit.MILLISECONDS), "another bus's message arrived");
        }
    }

    @Test
    void shouldAnswerRequestsAndReportEveryRequestFailure() throws Exception {
        final String bus = busName();
        try (Bus requester = open(bus); Bus responder = open(bus)) {
            responder.respond("price.quote", Order.class, (order, context) -> order.quantity() * 10);
            responder.respond("price.fail", Order.class, (order, context) -> {
                throw new IllegalStateException("out of stock: " + order.id());
            });
            responder.respond("price.slow", Order.class, (order, context) -> new CompletableFuture<Integer>());
            final Integer price = awaitResponder(requester, "price.quote");
            assertEquals(30, price);

            final ExecutionException failed = assertThrows(ExecutionException.class, () -> requester.request(
                "price.fail", new Order("B-7", 1), Integer.class, WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            final ResponderFailedException failure = assertInstanceOf(ResponderFailedException.class,
                failed.getCause());
            assertEquals(IllegalStateException.class.getName(), failure.remoteType());
            assertEquals("out of stock: B-7", failure.remoteMessage());

            final long start = System.nanoTime();
            final ExecutionException none = assertThrows(ExecutionException.class, () -> requester.request(
                "price.nobody", new Order("C", 1), Integer.class, WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertInstanceOf(NoResponderException.class, none.getCause());
            assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "no-responders was not immediate");

            final ExecutionException slow = assertThrows(ExecutionException.class, () -> requester.request(
                "price.slow", new Order("D", 1), Integer.class, Duration.ofMillis(300))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertInstanceOf(RequestTimeoutException.class, slow.getCause());
        }
    }

    /** Requests until the responder's queue subscription is visible (it reaches the server asynchronously). */
    private static Integer awaitResponder(final Bus requester, final String topic) throws Exception {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return requester.request(topic, new Order("A", 3), Integer.class, WAIT)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final ExecutionException ex) {
                if (!(ex.getCause() instanceof NoResponderException) || System.nanoTime() > deadline) {
                    throw ex;
                }
            }
        }
    }

    @Test
    void shouldGiveEachRequestToOneResponderOnly() throws Exception {
        final String bus = busName();
        try (Bus requester = open(bus); Bus first = open(bus); Bus second = open(bus)) {
            final AtomicInteger answered = new AtomicInteger();
            first.respond("work", Order.class, (order, context) -> answered.incrementAndGet());
            second.respond("work", Order.class, (order, context) -> answered.incrementAndGet());
            awaitResponder(requester, "work");
            answered.set(0);
            for (int i = 0; i < 20; i++) {
                requester.request("work", new Order("W", i), Integer.class, WAIT).get(WAIT.toMillis(),
                    TimeUnit.MILLISECONDS);
            }
            assertEquals(20, answered.get(), "a request was answered by more than one responder, or by none");
        }
    }

    @Test
    void shouldInteroperateWithAPlainNatsClientBothWays() throws Exception {
        final String bus = busName();
        try (Bus node = open(bus); Connection plain = Nats.connect("nats://" + server.address())) {
            final BlockingQueue<Order> received = new ArrayBlockingQueue<>(10);
            final BlockingQueue<String> contexts = new ArrayBlockingQueue<>(10);
            node.subscribe("orders.>", Order.class, (order, context) -> {
                received.add(order);
                contexts.add(context.senderNode() + "|" + context.timestampNanos() + "|" + context.headers());
            });
            node.respond("price.quote", Order.class, (order, context) -> Map.of("price", order.quantity() * 2));
            // NATS ordering: the node's SUBs are sent before the plain client's PUB on another connection; a
            // request that finds no responder is retried until the node's subscriptions are visible.
            final long deadline = System.nanoTime() + WAIT.toNanos();
            Message reply = null;
            while (reply == null && System.nanoTime() < deadline) {
                try {
                    reply = plain.request(bus + ".price.quote",
                        "{\"id\":\"P\",\"quantity\":21}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
                } catch (final RuntimeException noRespondersYet) {
                    reply = null;
                }
            }
            assertNotNull(reply, "the plain client got no reply");
            assertEquals("{\"price\":42}", new String(reply.getData(), StandardCharsets.UTF_8));
            assertNull(reply.getHeaders(), "a successful JSON reply travels without headers (no Content-Type: JSON)");

            final Headers headers = new Headers().put("trace", "plain-1");
            plain.publish(bus + ".orders.created", headers,
                "{\"id\":\"P-1\",\"quantity\":4}".getBytes(StandardCharsets.UTF_8));
            assertEquals(new Order("P-1", 4), poll(received));
            assertEquals("|0|{trace=plain-1}", poll(contexts), "a foreign message has no sender or timestamp");

            final io.nats.client.Subscription tap = plain.subscribe(bus + ".stock.>");
            plain.flush(WAIT);
            node.publish("stock.changed", new Order("S-9", 7));
            final Message tapped = tap.nextMessage(WAIT);
            assertNotNull(tapped, "the plain client did not see the bus's publish");
            assertEquals(bus + ".stock.changed", tapped.getSubject());
            assertEquals("{\"id\":\"S-9\",\"quantity\":7}", new String(tapped.getData(), StandardCharsets.UTF_8));
            assertEquals(node.nodeId(), tapped.getHeaders().getFirst("Ipcbus-Sender"));
            assertNull(tapped.getHeaders().getFirst("Content-Type"), "a typed message is JSON: no Content-Type");
        }
    }

    @Test
    void shouldDeliverRawPayloadsAsTheyWereSent() throws Exception {
        final String bus = busName();
        try (Bus publisher = open(bus); Bus subscriber = open(bus)) {
            final BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(10);
            final BlockingQueue<Order> probes = new ArrayBlockingQueue<>(10);
            subscriber.subscribeRaw("raw.>", (payload, context) -> {
                final byte[] bytes = new byte[payload.readableBytes()];
                payload.readBytes(bytes);
                received.add(bytes);
            });
            subscriber.subscribe("probe", Order.class, (order, context) -> probes.add(order));
            awaitInterest(publisher, "probe", probes);
            publisher.publishRaw("raw.bytes", new byte[] {0, 1, 2, (byte)0xFF});
            assertTrue(java.util.Arrays.equals(new byte[] {0, 1, 2, (byte)0xFF}, poll(received)));
        }
    }

    @Test
    void shouldListTheNodesOfTheBusWithTheirRegistrations() {
        final String bus = busName();
        try (Bus first = open(bus); Bus second = open(bus); Bus elsewhere = open(busName())) {
            try (Subscription ignored = second.subscribe("orders.*", Order.class, (order, context) -> { })) {
                second.respond("price.quote", Order.class, (order, context) -> 1);
                final List<NodeInfo> nodes = first.nodes();
                assertEquals(2, nodes.size(), "nodes: " + nodes);
                final NodeInfo listed = nodes.stream().filter(node -> node.id().equals(second.nodeId())).findFirst()
                    .orElseThrow();
                assertEquals(List.of("orders.*"), listed.subscriptions());
                assertEquals(List.of("price.quote"), listed.responders());
                assertEquals("nats", listed.transport());
                assertTrue(listed.alive());
                assertTrue(listed.counters().containsKey("slowConsumerDropped"), "counters: " + listed.counters());
            }
        }
    }

    @Test
    void shouldRefuseAMessageLargerThanTheServerAccepts() {
        try (Bus node = open(busName())) {
            assertThrows(MessageTooLargeException.class, () -> node.publishRaw("big", new byte[node.maxFrameLength()
                + 1]));
        }
    }

    @Test
    void shouldGiveOneClearErrorForBadUrisUnreachableServersAndWrongCredentials() {
        final ConfigurationException badServer = assertThrows(ConfigurationException.class,
            () -> Bus.open("nats://127.0.0.1:notaport/shop"));
        assertTrue(badServer.getMessage().contains("notaport"), badServer.getMessage());
        final ConfigurationException unknownOption = assertThrows(ConfigurationException.class,
            () -> Bus.open("nats://" + server.address() + "/shop?colour=blue"));
        assertTrue(unknownOption.getMessage().contains("colour"), unknownOption.getMessage());
        final ConfigurationException localWithServers = assertThrows(ConfigurationException.class,
            () -> Bus.open("inproc://127.0.0.1:4222/shop"));
        assertTrue(localWithServers.getMessage().contains("servers"), localWithServers.getMessage());

        final long start = System.nanoTime();
        final TransportUnavailableException unreachable = assertThrows(TransportUnavailableException.class,
            () -> Bus.open("nats://127.0.0.1:1/shop?connectTimeout=500ms"));
        assertTrue(unreachable.getMessage().contains("127.0.0.1:1"), unreachable.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15), "connecting did not fail promptly");

        try (NatsServers guarded = new NatsServers()) {
            final NatsServers.Server secured = guarded.startOne("--user", "app", "--pass", "right");
            final TransportUnavailableException refused = assertThrows(TransportUnavailableException.class,
                () -> Bus.open("nats://" + secured.address() + "/shop?user=app&password=wrong"));
            assertTrue(refused.getMessage().toLowerCase().contains("authorization"), refused.getMessage());
            try (Bus allowed = Bus.open(BusConfig.builder().uri("nats://" + secured.address()
                + "/shop?user=app&password=right").build())) {
                assertEquals(List.of(allowed.nodeId()), allowed.nodes().stream().map(NodeInfo::id).toList());
            }
        }
    }

    @Test
    void shouldReportASubscriberFailureAndKeepDelivering() throws Exception {
        final String bus = busName();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Bus publisher = open(bus); Bus subscriber = Bus.open(BusConfig.builder().uri("nats://"
            + server.address() + "/" + bus).errorHandler(errors::add).build())) {
            final BlockingQueue<Order> received = new ArrayBlockingQueue<>(10);
            subscriber.subscribe("orders.*", Order.class, (order, context) -> {
                if (order.quantity() < 0) {
                    throw new IllegalArgumentException("negative");
                }
                received.add(order);
            });
            awaitInterest(publisher, "orders.probe", received);
            publisher.publish("orders.bad", new Order("X", -1));
            publisher.publishRaw("orders.garbage", "not json".getBytes(StandardCharsets.UTF_8));
            publisher.publish("orders.good", new Order("Y", 1));
            assertEquals(new Order("Y", 1), poll(received));
            assertEquals(2, errors.size(), "errors: " + errors);
        }
    }
}
