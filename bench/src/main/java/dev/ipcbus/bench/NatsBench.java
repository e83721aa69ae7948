// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.bridge.BusBridge;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code nats://} against raw jnats on the same {@code nats-server}, in one run: request/reply round trip (32 B,
 * sequential, p50 and p99) and one-way publish throughput (32 B, messages received per second), and the bridged
 * round trip (local {@code filemap://} requester, bridge, NATS, bridge, local {@code filemap://} responder) beside a
 * direct {@code nats://} one. Both sides of each scenario run in this JVM on separate connections; the server is a
 * child process on a free loopback port.
 * <p>
 * Run: {@code java -cp bench/target/ipcbus-bench.jar dev.ipcbus.bench.NatsBench}. Properties:
 * {@code -Dbench.seconds=3} (measured per scenario), {@code -Dbench.rounds=5} (interleaved rounds: every scenario
 * once per round; each ratio is computed per round and the median and the spread of the rounds are reported).
 */
public final class NatsBench {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 3);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final byte[] PAYLOAD = new byte[32];

    /** Per scenario, one value per round: p50 µs for round trips, messages/s for throughput. */
    private static final Map<String, List<Double>> P50 = new LinkedHashMap<>();
    private static final Map<String, List<Double>> P99 = new LinkedHashMap<>();

    private NatsBench() {
    }

    /**
     * @param args none.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final Path directory = Files.createTempDirectory("ipcbus-natsbench-");
        final int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        final Process server = startServer(port);
        final String address = "127.0.0.1:" + port;
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                System.out.println("round " + round + " of " + ROUNDS);
                record("round trip 32B jnats", rawRoundTrip(address));
                record("round trip 32B nats://", busRoundTrip("nats://" + address + "/bench"));
                record("round trip 32B bridged filemap->nats->filemap", bridgedRoundTrip(address, directory));
                throughput("throughput 32B jnats", rawThroughput(address));
                throughput("throughput 32B nats://", busThroughput("nats://" + address + "/bench"));
            }
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        print();
    }

    private static Process startServer(final int port) throws IOException, InterruptedException {
        final String binary = Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server"
            : "nats-server";
        final Process process = new ProcessBuilder(binary, "-a", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true).start();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains("Server is ready")) {
                        ready.countDown();
                    }
                }
            } catch (final IOException ignored) {
                // gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("nats-server did not start (is it installed? apt-get install nats-server)");
        }
        return process;
    }

    private static Histogram rawRoundTrip(final String address) throws Exception {
        try (Connection responder = Nats.connect("nats://" + address);
             Connection requester = Nats.connect("nats://" + address)) {
            final Dispatcher dispatcher = responder.createDispatcher(message ->
                responder.publish(message.getReplyTo(), message.getData()));
            dispatcher.subscribe("bench.raw.echo", "q");
            responder.flush(Duration.ofSeconds(5));
            return measureRoundTrips(() -> requester.request("bench.raw.echo", PAYLOAD, Duration.ofSeconds(5)));
        }
    }

    private static Histogram busRoundTrip(final String uri) throws Exception {
        try (Bus responder = Bus.open(uri); Bus requester = Bus.open(uri)) {
            responder.respond("bench.echo", byte[].class, (request, context) -> request);
            return measureRoundTrips(() -> requester.request("bench.echo", PAYLOAD, byte[].class,
                Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS));
        }
    }

    private static Histogram bridgedRoundTrip(final String address, final Path directory) throws Exception {
        final String remote = "nats://" + address + "/bridged";
        try (Bus localA = Bus.open(BusConfig.builder().uri("filemap://bench").runtimeDirectory(directory.resolve("a"))
                .build());
             Bus bridgeLocalA = Bus.open(BusConfig.builder().uri("filemap://bench")
                 .runtimeDirectory(directory.resolve("a")).build());
             Bus bridgeRemoteA = Bus.open(remote);
             Bus localB = Bus.open(BusConfig.builder().uri("filemap://bench").runtimeDirectory(directory.resolve("b"))
                 .build());
             Bus bridgeLocalB = Bus.open(BusConfig.builder().uri("filemap://bench")
                 .runtimeDirectory(directory.resolve("b")).build());
             Bus bridgeRemoteB = Bus.open(remote);
             BusBridge a = BusBridge.builder(bridgeLocalA, bridgeRemoteA).importRequests("bench.echo").start();
             BusBridge b = BusBridge.builder(bridgeLocalB, bridgeRemoteB).exportRequests("bench.echo").start()) {
            localB.respond("bench.echo", byte[].class, (request, context) -> request);
            return measureRoundTrips(() -> localA.request("bench.echo", PAYLOAD, byte[].class,
                Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS));
        }
    }

    /** One request at a time: warm-up (not recorded), then {@link #SECONDS} measured. */
    private static Histogram measureRoundTrips(final Call call) throws Exception {
        final long warmEnd = System.nanoTime() + WARMUP.toNanos();
        while (System.nanoTime() < warmEnd) {
            call.run();
        }
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        long now;
        while ((now = System.nanoTime()) < end) {
            call.run();
            histogram.recordValue(System.nanoTime() - now);
        }
        return histogram;
    }

    private static double rawThroughput(final String address) throws Exception {
        try (Connection subscriber = Nats.connect("nats://" + address);
             Connection publisher = Nats.connect("nats://" + address)) {
            final AtomicLong received = new AtomicLong();
            final Dispatcher dispatcher = subscriber.createDispatcher(message -> received.incrementAndGet());
            dispatcher.subscribe("bench.raw.flow");
            subscriber.flush(Duration.ofSeconds(5));
            return measureThroughput(() -> publisher.publish("bench.raw.flow", PAYLOAD), received,
                () -> publisher.flush(Duration.ofSeconds(10)));
        }
    }

    private static double busThroughput(final String uri) throws Exception {
        try (Bus subscriber = Bus.open(uri); Bus publisher = Bus.open(uri)) {
            final AtomicLong received = new AtomicLong();
            subscriber.subscribeRaw("bench.flow", (payload, context) -> received.incrementAndGet());
            return measureThroughput(() -> publisher.publishRaw("bench.flow", PAYLOAD), received, () -> { });
        }
    }

    /**
     * Publishes as fast as the client takes messages for {@link #SECONDS}, then counts what the subscriber received
     * in that time (after a short drain): received per second, the figure a consumer sees.
     */
    private static double measureThroughput(final Call publish, final AtomicLong received, final Call flush)
        throws Exception {
        final long warmEnd = System.nanoTime() + WARMUP.toNanos();
        while (System.nanoTime() < warmEnd) {
            publish.run();
        }
        flush.run();
        final long start = System.nanoTime();
        final long before = received.get();
        final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 256; i++) {
                publish.run();
            }
        }
        final long elapsed = System.nanoTime() - start;
        final long got = received.get() - before;
        flush.run();
        return got * 1e9 / elapsed;
    }

    private static void record(final String scenario, final Histogram histogram) {
        P50.computeIfAbsent(scenario, k -> new ArrayList<>()).add(histogram.getValueAtPercentile(50) / 1000.0);
        P99.computeIfAbsent(scenario, k -> new ArrayList<>()).add(histogram.getValueAtPercentile(99) / 1000.0);
    }

    private static void throughput(final String scenario, final double messagesPerSecond) {
        P50.computeIfAbsent(scenario, k -> new ArrayList<>()).add(messagesPerSecond);
    }

    private static void print() {
        System.out.println();
        System.out.println("| scenario | per round (p50 µs or msgs/s) | median | p99 µs median |");
        System.out.println("|---|---|---|---|");
        for (final Map.Entry<String, List<Double>> entry : P50.entrySet()) {
            final List<Double> p99 = P99.get(entry.getKey());
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %s |%n", entry.getKey(), format(entry.getValue()),
                median(entry.getValue()), p99 == null ? "" : String.format(Locale.ROOT, "%.1f", median(p99)));
        }
        System.out.println();
        System.out.println("| ratio (median of per-round ratios) | per round | median | target |");
        System.out.println("|---|---|---|---|");
        ratio("round trip p50, nats:// / jnats", "round trip 32B nats://", "round trip 32B jnats", "<= 1.2");
        ratio("throughput, nats:// / jnats", "throughput 32B nats://", "throughput 32B jnats", ">= 0.8");
        ratio("round trip p50, bridged / nats://", "round trip 32B bridged filemap->nats->filemap",
            "round trip 32B nats://", "(informative)");
    }

    private static void ratio(final String label, final String ours, final String theirs, final String target) {
        final List<Double> a = P50.get(ours);
        final List<Double> b = P50.get(theirs);
        final List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %s |%n", label, format(ratios), median(ratios), target);
    }

    private static String format(final List<Double> values) {
        final StringBuilder text = new StringBuilder();
        for (final double value : values) {
            text.append(text.length() == 0 ? "" : " / ").append(value >= 100
                ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value));
        }
        return text.toString();
    }

    private static double median(final List<Double> values) {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** A benchmark step. */
    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
