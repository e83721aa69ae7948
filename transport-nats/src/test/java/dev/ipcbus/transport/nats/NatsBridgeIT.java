// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.bridge.BusBridge;
import dev.ipcbus.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two "machines", each a local {@code filemap://shop} bus in its own runtime directory with a {@link BusBridge} to its
 * own server of a two-server NATS cluster: publishes and requests cross in both directions, exactly once, with no loop
 * although both bridges import and export the same patterns; a local responder is preferred to the remote one; a
 * bridge in a child JVM killed with {@code SIGKILL} and restarted carries traffic again. Skipped, with the reason,
 * where {@code nats-server} is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NatsBridgeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger BUS_NAMES = new AtomicInteger();

    /** A typed message. */
    public record Order(String id, int quantity) {
    }

    @TempDir
    Path machineA;
    @TempDir
    Path machineB;

    private NatsServers servers;
    private List<NatsServers.Server> cluster;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        NatsServers.assumeInstalled();
        servers = new NatsServers();
        cluster = servers.startCluster(2);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    private <T extends AutoCloseable> T keep(final T resource) {
        resources.add(resource);
        return resource;
    }

    private Bus local(final Path runtimeDirectory, final String bus) {
        return keep(Bus.open(BusConfig.builder().uri("filemap://" + bus).runtimeDirectory(runtimeDirectory)
            .build()));
    }

    private Bus remote(final NatsServers.Server server, final String bus) {
        return keep(Bus.open(BusConfig.builder().uri("nats://" + server.address() + "/" + bus).nodeName("bridge")
            .build()));
    }

    private static <T> T poll(final LinkedBlockingQueue<T> queue) throws InterruptedException {
        final T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(value, "nothing arrived within " + WAIT);
        return value;
    }

    /** Publishes probes on {@code topic} until one arrives at {@code received}: the whole path is subscribed. */
    private static void awaitPath(final Bus publisher, final String topic, final LinkedBlockingQueue<Order> received)
        throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            publisher.publish(topic, new Order("probe", 0));
            if (received.poll(100, TimeUnit.MILLISECONDS) != null) {
                // drain the probes still in flight, then expect silence
                while (received.poll(300, TimeUnit.MILLISECONDS) != null) {
                    // probe
                }
                return;
            }
        }
        throw new AssertionError("nothing crossed the bridges within " + WAIT);
    }

    @Test
    void shouldCarryPublishesBothWaysExactlyOnceWithoutLoops() throws Exception {
        final String bus = "bridged" + BUS_NAMES.incrementAndGet();
        final Bus localA = local(machineA, bus);
        final Bus localB = local(machineB, bus);
        final BusBridge bridgeA = keep(BusBridge.builder(local(machineA, bus), remote(cluster.get(0), bus))
            .exportTopics("orders.>").importTopics("orders.>").start());
        final BusBridge bridgeB = keep(BusBridge.builder(local(machineB, bus), remote(cluster.get(1), bus))
            .exportTopics("orders.>").importTopics("orders.>").start());
        final LinkedBlockingQueue<Order> atA = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Order> atB = new LinkedBlockingQueue<>();
        // each side counts what reached it from the other machine (its own publishes reach it directly)
        localA.subscribe("orders.>", Order.class, (order, context) -> {
            if (!context.senderNode().equals(localA.nodeId())) {
                atA.add(order);
            }
        });
        localB.subscribe("orders.>", Order.class, (order, context) -> {
            if (!context.senderNode().equals(localB.nodeId())) {
                atB.add(order);
            }
        });
        awaitPath(localA, "orders.probe", atB);
        atA.clear();

        localA.publish("orders.created", new Order("A-1", 1), Map.of("trace", "t-a"));
        assertEquals(new Order("A-1", 1), poll(atB));
        localB.publish("orders.created", new Order("B-1", 2));
        assertEquals(new Order("B-1", 2), poll(atA));
        // no copy comes back, no loop goes round
        assertNull(atB.poll(500, TimeUnit.MILLISECONDS), "a duplicate or looping message at B");
        assertNull(atA.poll(100, TimeUnit.MILLISECONDS), "a duplicate or looping message at A");
        assertTrue(bridgeA.counters().get("exported") >= 1 && bridgeB.counters().get("imported") >= 1,
            bridgeA.counters() + " / " + bridgeB.counters());
        assertEquals(0, bridgeA.counters().get("failures") + bridgeB.counters().get("failures"));
    }

    @Test
    void shouldAnswerRequestsAcrossAndPreferALocalResponder() throws Exception {
        final String bus = "bridged" + BUS_NAMES.incrementAndGet();
        final Bus localA = local(machineA, bus);
        final Bus localB = local(machineB, bus);
        localB.respond("price.quote", Order.class, (order, context) -> "remote:" + order.quantity() * 10);
        keep(BusBridge.builder(local(machineB, bus), remote(cluster.get(1), bus)).exportRequests("price.quote")
            .start());
        final BusBridge bridgeA = keep(BusBridge.builder(local(machineA, bus), remote(cluster.get(0), bus))
            .importRequests("price.quote").responderCheck(Duration.ofMillis(50)).start());
        assertTrue(bridgeA.respondsLocally("price.quote"), "no local responder: the bridge answers");
        assertEquals("remote:30", requestWhenVisible(localA, "price.quote"));

        try (var ignored = localA.respond("price.quote", Order.class, (order, context) -> "local")) {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (bridgeA.respondsLocally("price.quote") && System.nanoTime() < deadline) {
                Thread.sleep(20); // the bridge's periodic check; nothing else to wait on
            }
            assertFalse(bridgeA.respondsLocally("price.quote"), "the bridge still competes with a local responder");
            for (int i = 0; i < 5; i++) {
                assertEquals("local", localA.request("price.quote", new Order("L", i), String.class, WAIT)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    private static String requestWhenVisible(final Bus bus, final String topic) throws Exception {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return bus.request(topic, new Order("Q", 3), String.class, WAIT).get(WAIT.toMillis(),
                    TimeUnit.MILLISECONDS);
            } catch (final ExecutionException ex) {
                final String text = String.valueOf(ex.getCause());
                if (!(ex.getCause() instanceof NoResponderException || text.contains("NoResponderException"))
                    || System.nanoTime() > deadline) {
                    throw ex;
                }
            }
        }
    }

    @Test
    void shouldCarryPublishesAndRequestsBetweenTwoJvmsThroughTwoBridges() throws Exception {
        final String bus = "bridged" + BUS_NAMES.incrementAndGet();
        // machine B: its bridge, a subscriber and a responder, each its own JVM on B's runtime directory and server
        final List<String> onB = List.of("ipcbus.runtimeDir=" + machineB);
        final ChildJvm bridgeB = keep(ChildJvm.start(BridgeChild.class, List.of(), machineB.toString(),
            "filemap://" + bus, "nats://" + cluster.get(1).address() + "/" + bus, "import:orders.>",
            "exportRequests:price.quote"));
        bridgeB.awaitLine("READY", WAIT);
        final ChildJvm subscriberB = keep(ChildJvm.start(dev.ipcbus.testkit.ChildNode.class, onB,
            "filemap://" + bus, "subscribe", "orders.>"));
        subscriberB.awaitLine("READY", WAIT);
        final ChildJvm responderB = keep(ChildJvm.start(dev.ipcbus.testkit.ChildNode.class, onB,
            "filemap://" + bus, "respond", "price.quote"));
        responderB.awaitLine("READY", WAIT);
        // machine A: this JVM
        final Bus localA = local(machineA, bus);
        final BusBridge bridgeA = keep(BusBridge.builder(local(machineA, bus), remote(cluster.get(0), bus))
            .exportTopics("orders.>").importRequests("price.quote").start());

        assertTrue(bridgeA.respondsLocally("price.quote"));
        final long deadline = System.nanoTime() + WAIT.toNanos();
        String reply = null;
        while (reply == null) {
            try {
                reply = localA.request("price.quote", "ping", String.class, WAIT).get(WAIT.toMillis(),
                    TimeUnit.MILLISECONDS);
            } catch (final ExecutionException ex) {
                // until bridge B's responder is visible through the cluster: NoResponderException, carried back
                if (System.nanoTime() > deadline) {
                    throw ex;
                }
            }
        }
        assertEquals("echo:ping", reply);
        final long publishDeadline = System.nanoTime() + WAIT.toNanos();
        boolean arrived = false;
        while (!arrived && System.nanoTime() < publishDeadline) {
            localA.publish("orders.created", "A-1");
            try {
                subscriberB.awaitLine("GOT orders.created A-1", Duration.ofMillis(200));
                arrived = true;
            } catch (final AssertionError notYet) {
                // the subscriptions along the path are still propagating
            }
        }
        assertTrue(arrived, "nothing reached machine B's subscriber; bridge A " + bridgeA.counters());
    }

    @Test
    void shouldCarryTrafficAgainAfterABridgeIsKilledAndRestarted() throws Exception {
        final String bus = "bridged" + BUS_NAMES.incrementAndGet();
        final Bus localA = local(machineA, bus);
        final Bus remoteB = remote(cluster.get(1), bus);
        final LinkedBlockingQueue<Order> remoteSeen = new LinkedBlockingQueue<>();
        remoteB.subscribe("orders.>", Order.class, (order, context) -> remoteSeen.add(order));
        final String[] args = {machineA.toString(), "filemap://" + bus, "nats://" + cluster.get(0).address() + "/"
            + bus, "orders.>"};
        ChildJvm bridge = keep(ChildJvm.start(BridgeChild.class, List.of(), args));
        bridge.awaitLine("READY", WAIT);
        awaitPath(localA, "orders.probe", remoteSeen);

        bridge.kill();
        localA.publish("orders.lost", new Order("while-down", 1)); // nobody forwards it: at most once
        bridge = keep(ChildJvm.start(BridgeChild.class, List.of(), args));
        bridge.awaitLine("READY", WAIT);
        awaitPath(localA, "orders.probe", remoteSeen);
        localA.publish("orders.created", new Order("after-restart", 2));
        assertEquals(new Order("after-restart", 2), poll(remoteSeen));
    }

    /**
     * A bridge in its own JVM: {@code <runtimeDir> <localUri> <remoteUri> <what>...}, each {@code <what>} one of
     * {@code export:P}, {@code import:P}, {@code exportRequests:T}, {@code importRequests:T}; a bare pattern exports.
     * Prints {@code READY} when running; exits when its standard input closes.
     */
    public static final class BridgeChild {
        private BridgeChild() {
        }

        /**
         * @param args see the class comment.
         * @throws Exception on failure.
         */
        public static void main(final String[] args) throws Exception {
            try (Bus local = Bus.open(BusConfig.builder().uri(args[1]).runtimeDirectory(Path.of(args[0])).build());
                 Bus remote = Bus.open(args[2])) {
                final BusBridge.Builder builder = BusBridge.builder(local, remote).responderCheck(
                    Duration.ofMillis(100));
                for (int i = 3; i < args.length; i++) {
                    final String what = args[i];
                    final int colon = what.indexOf(':');
                    final String kind = colon < 0 ? "export" : what.substring(0, colon);
                    final String value = what.substring(colon + 1);
                    switch (kind) {
                        case "export" -> builder.exportTopics(value);
                        case "import" -> builder.importTopics(value);
                        case "exportRequests" -> builder.exportRequests(value);
                        case "importRequests" -> builder.importRequests(value);
                        default -> throw new IllegalArgumentException("unknown: " + what);
                    }
                }
                try (BusBridge bridge = builder.start()) {
                    System.out.println("READY " + bridge);
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // until the parent closes our standard input
                    }
                }
            }
        }
    }
}
