// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.NodeInfo;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guided tour: starts an order subscriber and a stock responder as separate processes, publishes orders and makes
 * stock checks, and shows what every process sends and receives, over which transport, and how long it took.
 * <p>
 * {@code ipcbus-demo tour [--transport URI] [--all] [--orders N] [--interval-ms N]}. Ends by itself and leaves
 * nothing behind.
 */
@Command(name = "tour", mixinStandardHelpOptions = true,
    description = "Publisher, subscriber and responder in three processes: orders flow, stock checks are answered.")
final class TourCommand implements Callable<Integer> {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> SCHEMES = List.of("filemap", "pipe", "mailslot");

    @Mixin
    BusUriOption transport;

    @Option(names = "--all", description = "Run the tour once per transport and print a side-by-side summary.")
    boolean all;

    @Option(names = "--orders", defaultValue = "12", description = "Orders to publish (default ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--interval-ms", defaultValue = "120",
        description = "Pause between orders in milliseconds (default ${DEFAULT-VALUE}).")
    long intervalMillis;

    private final Object printLock = new Object();
    private final ObjectMapper json = new ObjectMapper();

    /** What one tour run achieved. */
    record Result(String uri, int published, int received, int requests, int answered, Histogram rtt, String error) {
    }

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--orders", orders, 1);
        Arguments.atLeast("--interval-ms", intervalMillis, 0);
        if (!all) {
            final BusConfig config = transport.config();
            final String bus = config.uri().toString();
            final Result result = tour(bus, config.uriSource());
            return result.received() == result.published() && result.answered() == result.requests() ? 0 : 1;
        }
        final List<Result> results = new ArrayList<>();
        for (final String scheme : SCHEMES) {
            final String uri = scheme + "://tour";
            try {
                results.add(tour(uri, "--all"));
            } catch (final BusException ex) {
                say("tour", "skipped " + scheme + ": " + IpcbusDemo.describe(ex));
                results.add(new Result(uri, 0, 0, 0, 0, null, IpcbusDemo.describe(ex)));
            }
            System.out.println();
        }
        printComparison(results);
        return results.stream().allMatch(r -> r.error() == null && r.received() == r.published()
            && r.answered() == r.requests()) ? 0 : 1;
    }

    private Result tour(final String uri, final String source) throws Exception {
        System.out.println("=== ipcbus tour on " + uri + "   (URI from " + source + ")");
        System.out.println("    -> published   <- received by the subscriber process   => request and its reply");
        System.out.println("    Round trips here are one request at a time, with the tour's pause between them and"
            + " printing on both sides,");
        System.out.println("    so they show a cold path (milliseconds); 'ipcbus-demo ping' measures the hot path"
            + " (microseconds).");
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final Histogram rtt = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int requests = 0;
        try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder().uri(uri).nodeName("tour-publisher").build());
             ChildProcess subscriber = ChildProcess.start(line -> {
                 if (line.startsWith("<-")) {
                     received.incrementAndGet();
                 }
                 say("subscriber", line);
             }, "tour-node", "--transport", uri, "--role", "subscriber");
             ChildProcess responder = ChildProcess.start(line -> {
                 if (line.startsWith("answered") && !line.contains("WARMUP")) {
                     answered.incrementAndGet();
                 }
                 say("responder", line);
             }, "tour-node", "--transport", uri, "--role", "responder")) {
            say("publisher", "I am node " + bus.nodeId() + " in process " + ProcessHandle.current().pid()
                + "; subscriber runs in process " + subscriber.pid() + ", responder in process " + responder.pid());
            subscriber.awaitReady(CHILD_TIMEOUT);
            responder.awaitReady(CHILD_TIMEOUT);
            // The first request pays for class loading and JIT in both processes; keep it out of the figures.
            bus.request("stock.check", new Shop.StockQuery("WARMUP"), Shop.StockLevel.class, Duration.ofSeconds(10))
                .get(15, TimeUnit.SECONDS);
            final List<NodeInfo> nodes = bus.nodes();
            say("publisher", "the bus has " + nodes.size() + " live nodes: " + describe(nodes));
            for (int i = 0; i < orders; i++) {
                final Shop.Order order = Shop.order(i);
                final String topic = "orders." + order.region() + ".created";
                say("publisher", String.format(Locale.ROOT, "-> %-18s %s", topic, json.writeValueAsString(order)));
                bus.publish(topic, order);
                if (i % 3 == 2) {
                    requests++;
                    final long start = System.nanoTime();
                    final Shop.StockLevel level = bus.request("stock.check", new Shop.StockQuery(order.sku()),
                        Shop.StockLevel.class, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                    final long took = System.nanoTime() - start;
                    rtt.recordValue(Math.min(took, rtt.getHighestTrackableValue()));
                    say("publisher", String.format(Locale.ROOT, "=> stock.check %-5s = %d available in %s "
                        + "(round trip)", level.sku(), level.available(), Durations.format(took)));
                }
                if (intervalMillis > 0) {
                    Thread.sleep(intervalMillis);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() < orders && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            subscriber.finish(CHILD_TIMEOUT);
            responder.finish(CHILD_TIMEOUT);
        }
        final Result result = new Result(uri, orders, received.get(), requests, answered.get(), rtt, null);
        synchronized (printLock) {
            System.out.printf(Locale.ROOT, "=== %s: %d orders published, %d received by the subscriber process; "
                    + "%d stock checks answered by the responder process, round trip p50 %s, max %s%n",
                uri, result.published(), result.received(), result.answered(),
                Durations.format(rtt.getValueAtPercentile(50)), Durations.format(rtt.getMaxValue()));
            if (result.received() != result.published()) {
                System.out.println("=== LOST: " + (result.published() - result.received()) + " orders");
            }
        }
        return result;
    }

    private static String describe(final List<NodeInfo> nodes) {
        final List<String> parts = new ArrayList<>();
        for (final NodeInfo node : nodes) {
            final List<String> roles = new ArrayList<>();
            node.subscriptions().forEach(s -> roles.add("sub " + s));
            node.responders().forEach(r -> roles.add("responds " + r));
            parts.add(node.name() + "(pid " + node.pid() + (roles.isEmpty() ? "" : ", " + String.join(", ", roles))
                + ")");
        }
        return String.join("; ", parts);
    }

    private void say(final String who, final String line) {
        synchronized (printLock) {
            System.out.printf("[%-10s] %s%n", who, line);
            System.out.flush();
        }
    }

    private void printComparison(final List<Result> results) {
        System.out.println("=== side by side");
        System.out.printf("%-10s %10s %10s %10s %14s %14s  %s%n", "transport", "published", "received", "answered",
            "rtt p50", "rtt max", "note");
        for (final Result result : results) {
            final String scheme = result.uri().substring(0, result.uri().indexOf(':'));
            if (result.error() != null) {
                System.out.printf("%-10s %10s %10s %10s %14s %14s  %s%n", scheme, "-", "-", "-", "-", "-",
                    result.error());
                continue;
            }
            System.out.printf("%-10s %10d %10d %10d %14s %14s  %s%n", scheme, result.published(), result.received(),
                result.answered(), Durations.format(result.rtt().getValueAtPercentile(50)),
                Durations.format(result.rtt().getMaxValue()),
                result.received() == result.published() ? "ok" : "LOST " + (result.published() - result.received()));
        }
    }
}
