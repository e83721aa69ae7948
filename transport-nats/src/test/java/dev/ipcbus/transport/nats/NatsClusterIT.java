// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code nats://} across JVMs and servers: a three-server cluster joined by routes on loopback, nodes in child JVMs
 * attached to different servers, and the faults a deployment meets: the server a client is attached to killed with
 * {@code SIGKILL} mid-stream (the client fails over to another server of its list; nothing hangs; what was lost is
 * counted and reported) and a server restarted. Skipped, with the reason, where {@code nats-server} is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NatsClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger BUS_NAMES = new AtomicInteger();

    private NatsServers servers;
    private List<NatsServers.Server> cluster;
    private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startCluster() {
        NatsServers.assumeInstalled();
        servers = new NatsServers();
        cluster = servers.startCluster(3);
    }

    @AfterEach
    void stopCluster() {
        children.forEach(ChildJvm::close);
        if (servers != null) {
            servers.close();
        }
    }

    private static String busName() {
        return "cluster" + BUS_NAMES.incrementAndGet();
    }

    private ChildJvm child(final NatsServers.Server server, final String bus, final String... args) {
        final String[] all = new String[args.length];
        System.arraycopy(args, 0, all, 0, args.length);
        final ChildJvm child = ChildJvm.node("nats://" + server.address() + "/" + bus, all);
        children.add(child);
        child.awaitLine("READY", WAIT);
        return child;
    }

    /** Requests until the responder's interest has crossed the routes (it propagates asynchronously). */
    private static String requestWhenVisible(final Bus bus, final String topic) throws Exception {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return bus.request(topic, "ping", String.class, WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final ExecutionException ex) {
                if (!(ex.getCause() instanceof NoResponderException) || System.nanoTime() > deadline) {
                    throw ex;
                }
            }
        }
    }

    /** Publishes probes until the child subscriber prints one: its interest has crossed the routes. */
    private static void awaitSubscriber(final Bus bus, final ChildJvm subscriber, final String topic) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            bus.publish(topic, "probe");
            if (awaitLineOrNull(subscriber, "GOT " + topic + " probe", Duration.ofMillis(100)) != null) {
                return;
            }
        }
        throw new AssertionError("the subscriber's interest did not reach the publisher's server within " + WAIT);
    }

    private static String awaitLineOrNull(final ChildJvm child, final String prefix, final Duration timeout) {
        try {
            return child.awaitLine(prefix, timeout);
        } catch (final AssertionError notYet) {
            return null;
        }
    }

    @Test
    void shouldPublishAndRequestAcrossJvmsAttachedToDifferentServersOfTheCluster() throws Exception {
        final String bus = busName();
        final ChildJvm responder = child(cluster.get(0), bus, "respond", "price.quote");
        final ChildJvm subscriber = child(cluster.get(1), bus, "subscribe", "orders.>");
        try (Bus node = Bus.open("nats://" + cluster.get(2).address() + "/" + bus)) {
            assertEquals("echo:ping", requestWhenVisible(node, "price.quote"));
            awaitSubscriber(node, subscriber, "orders.probe");
            node.publish("orders.created", "A-1");
            subscriber.awaitLine("GOT orders.created A-1", WAIT);
            assertTrue(node.nodes().size() >= 3, "the listing crosses the cluster: " + node.nodes());
        }
        assertTrue(responder.process().isAlive(), "the responder died: " + responder.stderr());
    }

    @Test
    void shouldFailOverWhenTheServerOfAPublisherIsKilledMidStreamAndReportWhatWasLost() throws Exception {
        final String bus = busName();
        // the subscriber on the third server, which the publisher's list does not name: it stays up
        final ChildJvm subscriber = child(cluster.get(2), bus, "subscribe", "ticks.>");
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final String uri = "nats://" + cluster.get(0).address() + "," + cluster.get(1).address() + "/" + bus
            + "?reconnectWait=100ms&connectTimeout=1s";
        try (Bus publisher = Bus.open(BusConfig.builder().uri(uri).errorHandler(errors::add).build())) {
            // attached to server 0 or 1 (the client shuffles its list); kill the one it is on
            awaitSubscriber(publisher, subscriber, "ticks.probe");
            final NatsServers.Server connectedTo = currentServer(publisher);
            final int total = 400;
            for (int i = 0; i < total; i++) {
                if (i == total / 2) {
                    servers.kill(connectedTo);
                }
                publisher.publish("ticks.n", "t" + i);
            }
            // the stream goes on after the failover: a last marker arrives
            final long deadline = System.nanoTime() + WAIT.toNanos();
            boolean marked = false;
            while (!marked && System.nanoTime() < deadline) {
                publisher.publish("ticks.end", "end");
                marked = awaitLineOrNull(subscriber, "GOT ticks.end end", Duration.ofMillis(200)) != null;
            }
            assertTrue(marked, "no message crossed after the failover; errors=" + errors + ", was on "
                + connectedTo.address());
            final long received = subscriber.seenLines().stream().filter(line -> line.startsWith("GOT ticks.n "))
                .count();
            final Map<String, Long> counters = publisher.nodes().stream()
                .filter(n -> n.id().equals(publisher.nodeId())).findFirst().orElseThrow().counters();
            assertEquals(1, counters.get("disconnects"), "counters: " + counters);
            assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("NATS disconnected")),
                "the disconnection was not reported: " + errors);
            assertTrue(received > 0 && received <= total, "received=" + received + " of " + total);
            System.out.println("failover: received " + received + " of " + total + " published; lost "
                + (total - received) + " (at most once), disconnects reported: " + counters.get("disconnects"));
        }
    }

    /** The server this bus's connection is attached to, found by the connected URL the client reports. */
    private NatsServers.Server currentServer(final Bus bus) {
        final String url = bus.nodes().stream().filter(n -> n.id().equals(bus.nodeId())).findFirst().orElseThrow()
            .address();
        for (final NatsServers.Server server : cluster) {
            if (url.endsWith(":" + server.port)) {
                return server;
            }
        }
        throw new AssertionError("not attached to a cluster server: " + url);
    }

    @Test
    void shouldCarryOnAfterItsServerRestarts() throws Exception {
        final String bus = busName();
        final NatsServers.Server server = cluster.get(2);
        final ChildJvm responder = child(cluster.get(0), bus, "respond", "price.quote");
        try (Bus node = Bus.open("nats://" + server.address() + "/" + bus + "?reconnectWait=100ms")) {
            assertEquals("echo:ping", requestWhenVisible(node, "price.quote"));
            servers.kill(server);
            servers.restart(server, cluster);
            assertEquals("echo:ping", requestWhenVisible(node, "price.quote"));
        }
        assertTrue(responder.process().isAlive(), responder.stderr());
    }
}
