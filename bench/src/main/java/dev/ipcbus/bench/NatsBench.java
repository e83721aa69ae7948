// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.bridge.BusBridge;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
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
 * Raw jnats runs twice: without headers, and carrying exactly the headers the bus sends for the same operation (built
 * per message as a jnats user would: {@code Ipcbus-Sender} on a request, {@code Ipcbus-Sender} and
 * {@code Content-Type: application/octet-stream} on a raw publish; a successful reply has none), with the bus's body
 * bytes (a typed {@code byte[]} request is its JSON). So the bus's own cost ({@code nats://} / jnats same headers) is
 * told apart from the cost of the headers themselves (jnats same headers / jnats). Every scenario has the same
 * shape: a dispatcher thread delivers, the receiver does what the bus's receiver does with what it got (the headers'
 * values read), a throughput run starts once the warm-up's messages are all received and counts what arrives within
 * the measured seconds; no scenario flushes.
 * <p>
 * Run: {@code java -cp bench/target/ipcbus-bench.jar dev.ipcbus.bench.NatsBench}. Properties:
 * {@code -Dbench.seconds=3} (measured per scenario), {@code -Dbench.rounds=5} (interleaved rounds: every scenario
 * once per round; each ratio is computed per round and the median and the spread of the rounds are reported),
 * {@code -Dbench.warmupRounds=1} (rounds run first and not recorded, so that every recorded round runs compiled
 * code), {@code -Dbench.warmupSeconds=2} (per scenario, before its measured seconds), {@code -Dbench.bridged=true}
 * (the bridged scenario), {@code -Dbench.oneHeader=false} (also raw jnats with {@code Ipcbus-Sender} only),
 * {@code -Dbench.only=TEXT} (only the scenarios whose name contains it, e.g. {@code throughput} or
 * {@code "round trip 32B nats://"}).
 */
public final class NatsBench {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 3);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmupRounds", 1);
    private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmupSeconds", 2));
    private static final boolean BRIDGED = Boolean.parseBoolean(System.getProperty("bench.bridged", "true"));
    private static final String ONLY = System.getProperty("bench.only", "");
    private static final byte[] PAYLOAD = new byte[32];
    /** The body of the bus's typed request and reply carrying {@link #PAYLOAD}: its JSON, a base64 string. */
    private static final byte[] JSON_PAYLOAD = ("\"" + java.util.Base64.getEncoder().encodeToString(PAYLOAD) + "\"")
        .getBytes(StandardCharsets.US_ASCII);
    /** A node id as the bus sends it. */
    private static final String SENDER = "0123456789abcdef";
    private static final String RTT = "round trip 32B ";
    private static final String TPUT = "throughput 32B ";
    private static final String JNATS = "jnats";
    private static final String JNATS_HEADERS = "jnats same headers";
    private static final String BUS = "nats://";
    private static final String JNATS_ONE_HEADER = "jnats sender only";
    private static final boolean ONE_HEADER = Boolean.getBoolean("bench.oneHeader");

    /** Per scenario, one value per round: p50 µs for round trips, messages/s for throughput. */
    private static final Map<String, List<Double>> P50 = new LinkedHashMap<>();
    private static final Map<String, List<Double>> P99 = new LinkedHashMap<>();
    /**
     * Numbers every scenario's subject: a scenario never receives what an earlier one published (a closed
     * publisher's last messages may still be on their way through the server when the next scenario subscribes).
     */
    private static final AtomicLong RUN = new AtomicLong();

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
            for (int round = 1 - WARMUP_ROUNDS; round <= ROUNDS; round++) {
                final boolean recorded = round >= 1;
                System.out.println(recorded ? "round " + round + " of " + ROUNDS : "warm-up round (not recorded)");
                final String uri = "nats://" + address + "/bench";
                // the order of the three of a kind turns every round, so that none always runs first
                for (int k = 0; k < 3; k++) {
                    switch ((k + round + WARMUP_ROUNDS) % 3) {
                        case 0 -> record(recorded, RTT + JNATS, () -> rawRoundTrip(address, false));
                        case 1 -> record(recorded, RTT + JNATS_HEADERS, () -> rawRoundTrip(address, true));
                        default -> record(recorded, RTT + BUS, () -> busRoundTrip(uri));
                    }
                }
                if (BRIDGED) {
                    record(recorded, RTT + "bridged filemap->nats->filemap", () -> bridgedRoundTrip(address,
                        directory));
                }
                for (int k = 0; k < 3; k++) {
                    switch ((k + round + WARMUP_ROUNDS) % 3) {
                        case 0 -> throughput(recorded, TPUT + JNATS, () -> rawThroughput(address, 0));
                        case 1 -> throughput(recorded, TPUT + JNATS_HEADERS, () -> rawThroughput(address, 2));
                        default -> throughput(recorded, TPUT + BUS, () -> busThroughput(uri));
                    }
                }
                if (ONE_HEADER) {
                    throughput(recorded, TPUT + JNATS_ONE_HEADER, () -> rawThroughput(address, 1));
                }
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

    /**
     * @param headers {@code false}: 32 B, no headers; {@code true}: what the bus sends for a typed request and its
     *                successful reply (the request: the JSON body and {@code Ipcbus-Sender}, built per request and
     *                read by the responder; the reply: the body only).
     */
    private static Histogram rawRoundTrip(final String address, final boolean headers) throws Exception {
        try (Connection responder = Nats.connect("nats://" + address);
             Connection requester = Nats.connect("nats://" + address)) {
            final Dispatcher dispatcher = responder.createDispatcher(message -> {
                if (headers && (message.getHeaders() == null
                    || message.getHeaders().getFirst("Ipcbus-Sender") == null)) {
                    throw new IllegalStateException("no sender");
                }
                responder.publish(message.getReplyTo(), message.getData());
            });
            final String subject = "bench.raw.echo." + RUN.incrementAndGet();
            dispatcher.subscribe(subject, "q");
            responder.flush(Duration.ofSeconds(5));
            final byte[] body = headers ? JSON_PAYLOAD : PAYLOAD;
            return measureRoundTrips(() -> {
                final Message reply = headers
                    ? requester.request(subject, new Headers().put("Ipcbus-Sender", SENDER), body,
                        Duration.ofSeconds(5))
                    : requester.request(subject, body, Duration.ofSeconds(5));
                if (reply == null || reply.getData().length != body.length) {
                    throw new IllegalStateException("no reply");
                }
            });
        }
    }

    private static Histogram busRoundTrip(final String uri) throws Exception {
        try (Bus responder = Bus.open(uri); Bus requester = Bus.open(uri)) {
            final String topic = "bench.echo." + RUN.incrementAndGet();
            responder.respond(topic, byte[].class, (request, context) -> request);
            return measureRoundTrips(() -> requester.request(topic, PAYLOAD, byte[].class,
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

    /**
     * @param headers 0: 32 B, no headers; 2: what a raw bus publish carries, {@code Ipcbus-Sender} and
     *                {@code Content-Type: application/octet-stream}, built per message; the subscriber reads both, as
     *                the bus's receiver does; 1: {@code Ipcbus-Sender} only (the least any publish of the bus
     *                carries: a typed publish's one line).
     */
    private static double rawThroughput(final String address, final int headers) throws Exception {
        try (Connection subscriber = Nats.connect("nats://" + address);
             Connection publisher = Nats.connect("nats://" + address)) {
            final AtomicLong received = new AtomicLong();
            final Dispatcher dispatcher = subscriber.createDispatcher(message -> {
                if (headers > 0) {
                    final Headers values = message.getHeaders();
                    if (values == null || values.getFirst("Ipcbus-Sender") == null
                        || headers > 1 && values.getFirst("Content-Type") == null) {
                        return;
                    }
                }
                received.incrementAndGet();
            });
            final String subject = "bench.raw.flow." + RUN.incrementAndGet();
            dispatcher.subscribe(subject);
            subscriber.flush(Duration.ofSeconds(5));
            final Call publish = switch (headers) {
                case 0 -> () -> publisher.publish(subject, PAYLOAD);
                case 1 -> () -> publisher.publish(subject, new Headers().put("Ipcbus-Sender", SENDER), PAYLOAD);
                default -> () -> publisher.publish(subject, new Headers().put("Ipcbus-Sender", SENDER)
                    .put("Content-Type", "application/octet-stream"), PAYLOAD);
            };
            return measureThroughput(publish, received);
        }
    }

    private static double busThroughput(final String uri) throws Exception {
        try (Bus subscriber = Bus.open(uri); Bus publisher = Bus.open(uri)) {
            final AtomicLong received = new AtomicLong();
            final String topic = "bench.flow." + RUN.incrementAndGet();
            subscriber.subscribeRaw(topic, (payload, context) -> {
                if (!context.senderNode().isEmpty()) {
                    received.incrementAndGet();
                }
            });
            return measureThroughput(() -> publisher.publishRaw(topic, PAYLOAD), received);
        }
    }

    /**
     * Publishes as fast as the client takes messages: for the warm-up, then (once the subscriber has received what
     * the warm-up sent, or stopped receiving for half a second) for {@link #SECONDS}, counting what the subscriber
     * receives within those seconds: received per second, the figure a consumer sees. Nothing is flushed: the bus has
     * no flush, and a flush (a PING/PONG round trip) says nothing about the subscriber.
     */
    private static double measureThroughput(final Call publish, final AtomicLong received) throws Exception {
        final long warmEnd = System.nanoTime() + WARMUP.toNanos();
        long sent = 0;
        while (System.nanoTime() < warmEnd) {
            for (int i = 0; i < 256; i++) {
                publish.run();
            }
            sent += 256;
        }
        final long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long last = -1;
        long lastChange = System.nanoTime();
        while (received.get() < sent && System.nanoTime() < drainEnd
            && System.nanoTime() - lastChange < TimeUnit.MILLISECONDS.toNanos(500)) {
            final long now = received.get();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
            Thread.sleep(1); // pacing a poll of a counter, not synchronisation
        }
        final long start = System.nanoTime();
        final long before = received.get();
        final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 256; i++) {
                publish.run();
            }
        }
        final long got = received.get() - before;
        final long elapsed = System.nanoTime() - start;
        return got * 1e9 / elapsed;
    }

    private static void record(final boolean recorded, final String scenario, final Scenario<Histogram> run)
        throws Exception {
        if (!scenario.contains(ONLY)) {
            return;
        }
        final Histogram histogram = run.run();
        if (!recorded) {
            return;
        }
        P50.computeIfAbsent(scenario, k -> new ArrayList<>()).add(histogram.getValueAtPercentile(50) / 1000.0);
        P99.computeIfAbsent(scenario, k -> new ArrayList<>()).add(histogram.getValueAtPercentile(99) / 1000.0);
    }

    private static void throughput(final boolean recorded, final String scenario, final Scenario<Double> run)
        throws Exception {
        if (!scenario.contains(ONLY)) {
            return;
        }
        final double messagesPerSecond = run.run();
        if (!recorded) {
            return;
        }
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
        System.out.println("| ratio (median of per-round ratios) | per round | median (min-max) | target |");
        System.out.println("|---|---|---|---|");
        ratio("round trip p50, nats:// / jnats", RTT + BUS, RTT + JNATS, "<= 1.2");
        ratio("round trip p50, nats:// / jnats same headers (the bus's own cost)", RTT + BUS, RTT + JNATS_HEADERS,
            "");
        ratio("round trip p50, jnats same headers / jnats (the headers' cost)", RTT + JNATS_HEADERS, RTT + JNATS, "");
        ratio("throughput, nats:// / jnats", TPUT + BUS, TPUT + JNATS, ">= 0.8");
        ratio("throughput, nats:// / jnats same headers (the bus's own cost)", TPUT + BUS, TPUT + JNATS_HEADERS, "");
        ratio("throughput, jnats same headers / jnats (the headers' cost)", TPUT + JNATS_HEADERS, TPUT + JNATS, "");
        ratio("throughput, jnats sender only / jnats (one header line's cost)", TPUT + JNATS_ONE_HEADER, TPUT + JNATS,
            "");
        ratio("round trip p50, bridged / nats://", RTT + "bridged filemap->nats->filemap", RTT + BUS,
            "(informative)");
    }

    private static void ratio(final String label, final String ours, final String theirs, final String target) {
        final List<Double> a = P50.get(ours);
        final List<Double> b = P50.get(theirs);
        if (a == null || b == null) {
            return;
        }
        final List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        final double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        final double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f (%.2f-%.2f) | %s |%n", label, format(ratios), median(ratios),
            min, max, target);
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

    /** One scenario of a round. */
    @FunctionalInterface
    private interface Scenario<T> {
        T run() throws Exception;
    }

    /** A benchmark step. */
    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
