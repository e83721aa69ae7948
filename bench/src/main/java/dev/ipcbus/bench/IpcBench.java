// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import com.sun.management.ThreadMXBean;
import dev.ipcbus.Bus;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.FilemapTransportProvider;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * Cross-process benchmarks of ipcbus ({@code filemap://}) against Aeron IPC, in one run on one machine: ping-pong
 * round trips (HdrHistogram percentiles), one-way throughput, the low-rate wake-up path, and allocation per message
 * on the raw path. Each scenario starts a fresh child JVM ({@link BenchChild}) as the other side.
 * <p>
 * In the bus throughput scenarios ({@code tput ipcbus raw ...}) the idle mode named is the sink's; the publishing
 * node idles its own inbox, which receives nothing, with {@code idle=hybrid}, as Aeron's publishing process runs no
 * spinning thread besides the publisher. {@code ... publisher idle=spin} keeps the older setup, where both nodes spin
 * (three busy threads on the two cores this is run on).
 * <p>
 * Run: {@code mvn -B -pl bench package && java -jar bench/target/ipcbus-bench.jar}. Properties:
 * <ul>
 *   <li>{@code -Dbench.seconds=5}: measured seconds per scenario (bounded run).</li>
 *   <li>{@code -Dbench.warmup=2}: warm-up seconds per scenario, not measured (Jackson scenarios also until 300,000
 *   round trips, at most 30 s, so that Jackson is JIT-compiled before measuring).</li>
 *   <li>{@code -Dbench.only=<regex>}: run only scenarios whose name matches.</li>
 *   <li>{@code -Dbench.rounds=3}: how often the whole list of scenarios runs, one after the other. Round trips are
 *   pooled over the rounds; throughput is the median; each ratio to Aeron is computed per round (both sides
 *   measured close together in time) and the median is reported, since this kind of machine drifts by 2x and more
 *   between minutes.</li>
 * </ul>
 * Prints a Markdown table per kind of measurement, then the ratios to Aeron, then issue 18's decision figures (each
 * the median of per-round values with the min-max over rounds). The {@code jackson alone} scenarios do the Jackson
 * work of one typed round trip in this JVM without bus or transport ({@link JacksonWork}).
 */
public final class IpcBench {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 2);
    private static final Pattern ONLY = Pattern.compile(System.getProperty("bench.only", ".*"));
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final String JAR = System.getProperty("java.class.path");

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    /** Jackson scenarios warm up until this many round trips (two encodes and two decodes each) have run... */
    private static final long JSON_WARMUP_ROUND_TRIPS = 300_000;
    /** ...or this many seconds have passed. */
    private static final int JSON_WARMUP_MAX_SECONDS = 30;

    /** Per scenario: the round trips of every round pooled. */
    private static final Map<String, Histogram> LATENCY = new LinkedHashMap<>();
    /** Per scenario: one value per round (p50/p90/p99/p99.9/max in µs, or msgs/s). */
    private static final Map<String, List<double[]>> ROUND_RESULTS = new LinkedHashMap<>();
    private static final Map<String, Integer> SIZES = new LinkedHashMap<>();
    private static final Map<String, String> ALLOCATION = new LinkedHashMap<>();
    /** Per scenario: bytes allocated per message, one value per round. */
    private static final Map<String, List<Double>> ALLOCATION_ROUNDS = new LinkedHashMap<>();
    private static String current = "";

    private IpcBench() {
    }

    /**
     * @param args ignored.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final String bus = "bench" + ProcessHandle.current().pid();
        final String aeronDir = "/dev/shm/aeron-bench-" + ProcessHandle.current().pid();
        System.out.printf(Locale.ROOT, "# ipcbus vs Aeron IPC: %d s measured + %d s warm-up per scenario, %d CPUs, "
            + "%s%n", SECONDS, WARMUP, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"));
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir))) {
            for (int round = 1; round <= ROUNDS; round++) {
                System.out.println("round " + round + " of " + ROUNDS);
                runRound(bus, aeron, aeronDir);
            }
        }
        removeBusDirectory(bus);
        printLatency();
        printThroughput();
        printAllocation();
        ratios();
        Issue18Report.print(ROUND_RESULTS, ALLOCATION_ROUNDS);
    }

    /** Every scenario once, in a fixed order, so that each round compares the scenarios under similar conditions. */
    private static void runRound(final String bus, final Aeron aeron, final String aeronDir) throws Exception {
        for (final int size : new int[] {32, 1024}) {
            for (final String idle : new String[] {"spin", "hybrid"}) {
                final String uri = "filemap://" + bus + "?idle=" + idle;
                run("rtt ipcbus raw " + size + "B idle=" + idle, () -> busPingPong(uri, size, false));
            }
            run("rtt ipcbus raw " + size + "B idle=spin timestamps=false",
                () -> busPingPong("filemap://" + bus + "?idle=spin&timestamps=false", size, false));
            for (final String idle : new String[] {"spin", "hybrid"}) {
                run("rtt filemap SPI only " + size + "B idle=" + idle, () -> spiPingPong(bus, idle, size));
            }
            run("rtt aeron " + size + "B busy-spin", () -> aeronPingPong(aeron, aeronDir, size, true));
            run("rtt aeron " + size + "B backoff", () -> aeronPingPong(aeron, aeronDir, size, false));
        }
        for (final String idle : new String[] {"spin", "hybrid"}) {
            final String uri = "filemap://" + bus + "?idle=" + idle;
            run("rtt ipcbus jackson idle=" + idle, () -> busPingPong(uri, 0, true));
        }
        run(Issue18Report.JACKSON_ALONE, () -> jacksonAlone(JacksonWork.codec(JsonCodec.defaultMapper())));
        run("jackson alone codec blackbird",
            () -> jacksonAlone(JacksonWork.codec(JsonCodec.defaultMapper().registerModule(new BlackbirdModule()))));
        final Map<String, ObjectMapper> formats = new LinkedHashMap<>();
        formats.put("json", JsonCodec.defaultMapper());
        formats.put("smile", JsonCodec.defaultMapper().copyWith(new SmileFactory()));
        formats.put("cbor", JsonCodec.defaultMapper().copyWith(new CBORFactory()));
        for (final Map.Entry<String, ObjectMapper> format : formats.entrySet()) {
            run("jackson alone mapper " + format.getKey(),
                () -> jacksonAlone(JacksonWork.mapperOnly(format.getValue())));
        }
        run("wakeup ipcbus raw 32B 1000/s idle=hybrid",
            () -> busLowRate("filemap://" + bus + "?idle=hybrid"));
        run("wakeup ipcbus raw 32B 1000/s idle=block",
            () -> busLowRate("filemap://" + bus + "?idle=block"));
        run("wakeup aeron 32B 1000/s backoff", () -> aeronLowRate(aeron, aeronDir));
        for (final int size : new int[] {32, 1024}) {
            // The publisher's inbox receives nothing: it idles (see the class doc) instead of spinning a core away.
            final String publisher = "filemap://" + bus + "?idle=hybrid&capacity=4MiB";
            for (final String idle : new String[] {"spin", "hybrid"}) {
                final String uri = "filemap://" + bus + "?idle=" + idle + "&capacity=4MiB";
                run("tput ipcbus raw " + size + "B idle=" + idle, () -> busThroughput(publisher, uri, size));
            }
            run("tput ipcbus raw " + size + "B idle=spin timestamps=false", () -> busThroughput(
                publisher + "&timestamps=false", "filemap://" + bus + "?idle=spin&capacity=4MiB", size));
            final String spinning = "filemap://" + bus + "?idle=spin&capacity=4MiB";
            run("tput ipcbus raw " + size + "B idle=spin publisher idle=spin",
                () -> busThroughput(spinning, spinning, size));
            for (final String idle : new String[] {"spin", "hybrid"}) {
                run("tput filemap SPI only " + size + "B idle=" + idle, () -> spiThroughput(bus, idle, size));
            }
            run("tput aeron " + size + "B busy-spin", () -> aeronThroughput(aeron, aeronDir, size));
        }
    }

    /** Removes what the bus core leaves in the runtime directory once every node closed (its registry version). */
    private static void removeBusDirectory(final String bus) throws IOException {
        final java.nio.file.Path directory = dev.ipcbus.registry.RuntimeDirectory.base(null).resolve("filemap")
            .resolve(bus);
        if (java.nio.file.Files.isDirectory(directory)) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(directory)) {
                for (final java.nio.file.Path file : (Iterable<java.nio.file.Path>) files::iterator) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
            java.nio.file.Files.deleteIfExists(directory);
        }
    }

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    private static void run(final String name, final Scenario scenario) throws Exception {
        if (!ONLY.matcher(name).find()) {
            return;
        }
        System.out.println("running: " + name);
        System.out.flush();
        current = name;
        scenario.run();
    }

    private static void printLatency() {
        final List<String> rows = new ArrayList<>();
        for (final Map.Entry<String, Histogram> entry : LATENCY.entrySet()) {
            final Histogram histogram = entry.getValue();
            rows.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f | %s |", entry.getKey(),
                histogram.getTotalCount(), micros(histogram, 50), micros(histogram, 90), micros(histogram, 99),
                micros(histogram, 99.9), histogram.getMaxValue() / 1000.0, perRound(entry.getKey(), 0, "%.2f")));
        }
        printTable("Round trip (µs), cross-process ping-pong, " + ROUNDS + " rounds pooled",
            "| scenario | count | p50 | p90 | p99 | p99.9 | max | p50 per round |", rows);
    }

    private static void printTable(final String title, final String header, final List<String> rows) {
        if (rows.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("### " + title);
        System.out.println();
        System.out.println(header);
        System.out.println(header.replaceAll("[^|]", "-"));
        rows.forEach(System.out::println);
    }

    private static void printThroughput() {
        final List<String> rows = new ArrayList<>();
        for (final Map.Entry<String, List<double[]>> entry : ROUND_RESULTS.entrySet()) {
            if (!SIZES.containsKey(entry.getKey())) {
                continue;
            }
            final double rate = median(entry.getKey(), 0);
            rows.add(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %s |", entry.getKey(), rate,
                rate * SIZES.get(entry.getKey()) / 1e6, perRound(entry.getKey(), 0, "%,.0f")));
        }
        printTable("One-way throughput, cross-process (median of " + ROUNDS + " rounds)",
            "| scenario | msgs/s | MB/s (payload) | msgs/s per round |", rows);
    }

    private static void printAllocation() {
        printTable("Allocation in steady state (ThreadMXBean.getThreadAllocatedBytes, last round)",
            "| scenario | thread | bytes/msg |", new ArrayList<>(ALLOCATION.values()));
    }

    private static double micros(final Histogram histogram, final double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String perRound(final String scenario, final int index, final String format) {
        final StringBuilder text = new StringBuilder();
        for (final double[] values : ROUND_RESULTS.get(scenario)) {
            text.append(text.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, format, values[index]));
        }
        return text.toString();
    }

    private static double median(final String scenario, final int index) {
        final double[] values = ROUND_RESULTS.get(scenario).stream().mapToDouble(v -> v[index]).sorted().toArray();
        return median(values);
    }

    private static double median(final double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void ratios() {
        System.out.println();
        System.out.println("### Ratios to Aeron (same run, per round)");
        System.out.println();
        ratio("rtt ipcbus raw 32B idle=spin", "rtt aeron 32B busy-spin", 0, "p50 round trip, 32 B, spin");
        ratio("rtt ipcbus raw 32B idle=spin timestamps=false", "rtt aeron 32B busy-spin", 0,
            "p50 round trip, 32 B, spin, timestamps=false");
        ratio("rtt ipcbus raw 1024B idle=spin", "rtt aeron 1024B busy-spin", 0, "p50 round trip, 1 KiB, spin");
        ratio("rtt ipcbus raw 32B idle=hybrid", "rtt aeron 32B backoff", 0, "p50 round trip, 32 B, default idle");
        ratio("rtt ipcbus raw 32B idle=spin", "rtt aeron 32B busy-spin", 2, "p99 round trip, 32 B, spin");
        ratio("wakeup ipcbus raw 32B 1000/s idle=hybrid", "wakeup aeron 32B 1000/s backoff", 0,
            "p50 round trip at 1,000 msg/s");
        ratio("tput ipcbus raw 32B idle=spin", "tput aeron 32B busy-spin", 0, "throughput, 32 B (higher is better)");
        ratio("tput ipcbus raw 32B idle=spin timestamps=false", "tput aeron 32B busy-spin", 0,
            "throughput, 32 B, timestamps=false (higher is better)");
        ratio("tput ipcbus raw 1024B idle=spin", "tput aeron 1024B busy-spin", 0,
            "throughput, 1 KiB (higher is better)");
        ratio("rtt filemap SPI only 32B idle=spin", "rtt aeron 32B busy-spin", 0,
            "p50 round trip, 32 B, spin, transport SPI only");
        ratio("tput filemap SPI only 32B idle=spin", "tput aeron 32B busy-spin", 0,
            "throughput, 32 B, transport SPI only (higher is better)");
        ratio("rtt ipcbus raw 32B idle=hybrid", "rtt ipcbus raw 32B idle=spin", 0,
            "p50 round trip, 32 B, default idle vs spin");
        for (final String idle : new String[] {"spin", "hybrid"}) {
            final String raw = "rtt ipcbus raw 32B idle=" + idle;
            final String json = "rtt ipcbus jackson idle=" + idle;
            if (ROUND_RESULTS.containsKey(raw) && ROUND_RESULTS.containsKey(json)) {
                System.out.printf(Locale.ROOT, "- Jackson path adds %.2f µs to the p50 round trip (idle=%s, median "
                    + "over rounds)%n", median(json, 0) - median(raw, 0), idle);
            }
        }
    }

    /** Prints the median over rounds of the per-round ratio (each round measures both sides minutes apart at most). */
    private static void ratio(final String ours, final String theirs, final int index, final String label) {
        final List<double[]> a = ROUND_RESULTS.get(ours);
        final List<double[]> b = ROUND_RESULTS.get(theirs);
        if (a == null || b == null) {
            return;
        }
        final int rounds = Math.min(a.size(), b.size());
        final double[] ratios = new double[rounds];
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < rounds; i++) {
            ratios[i] = a.get(i)[index] / b.get(i)[index];
            text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratios[i]));
        }
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "- %s: [%s] / [%s] = **%.2f** (median of %d rounds: %s)%n", label, ours,
            theirs, median(ratios), rounds, text);
    }

    private static void record(final Histogram histogram) {
        LATENCY.computeIfAbsent(current, name -> new Histogram(TimeUnit.SECONDS.toNanos(10), 3)).add(histogram);
        ROUND_RESULTS.computeIfAbsent(current, name -> new ArrayList<>()).add(new double[] {
            micros(histogram, 50), micros(histogram, 90), micros(histogram, 99), micros(histogram, 99.9),
            histogram.getMaxValue() / 1000.0});
    }

    private static void recordThroughput(final long messages, final long nanos, final int size) {
        SIZES.put(current, size);
        ROUND_RESULTS.computeIfAbsent(current, name -> new ArrayList<>()).add(new double[] {messages * 1e9 / nanos});
    }

    private static void recordAllocation(final String thread, final long bytes, final long messages) {
        final double perMessage = messages == 0 ? Double.NaN : (double) bytes / messages;
        ALLOCATION.put(current, String.format(Locale.ROOT, "| %s | %s | %.2f |", current, thread, perMessage));
        ALLOCATION_ROUNDS.computeIfAbsent(current, name -> new ArrayList<>()).add(perMessage);
    }

    private static void jacksonAlone(final JacksonWork work) {
        try {
            record(work.measure(WARMUP, JSON_WARMUP_ROUND_TRIPS, JSON_WARMUP_MAX_SECONDS, SECONDS));
            recordAllocation("this thread, per round trip (2 encodes + 2 decodes)", work.allocatedBytes,
                work.measuredRoundTrips);
        } finally {
            work.release();
        }
    }

    /** A child JVM: the other side of one scenario. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final Writer in;
        final String firstLine;

        Child(final String... args) throws IOException {
            final List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", JAR));
            final String childJvmArgs = System.getProperty("bench.childJvmArgs", "").trim();
            if (!childJvmArgs.isEmpty()) {
                command.addAll(List.of(childJvmArgs.split("\\s+")));
            }
            command.add(BenchChild.class.getName());
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            do { // skips what JVM agents print first (a profiler's "Profiling started")
                line = out.readLine();
            } while (line != null && !line.startsWith("READY") && !line.startsWith("ADDRESS"));
            firstLine = line;
            if (firstLine == null) {
                throw new IllegalStateException("child ended at once: args=" + List.of(args));
            }
            if (!firstLine.startsWith("READY")) {
                expect("READY");
            }
        }

        String expect(final String prefix) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("child ended before " + prefix);
        }

        long count() throws IOException {
            in.write("count\n");
            in.flush();
            return Long.parseLong(expect("COUNT ").substring(6));
        }

        @Override
        public void close() throws Exception {
            try {
                in.write("stop\n");
                in.flush();
            } catch (final IOException ignored) {
                // Already gone.
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Phases of a measured run, driven by the main thread. */
    private static final int WARMING = 0;
    private static final int MEASURING = 1;
    private static final int STOPPED = 2;

    private static final class PingPongState {
        volatile int phase = WARMING;
        volatile long receiveThread;
        /** Round trips so far, written by the receive thread only. */
        volatile long roundTrips;
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    }

    private static void busPingPong(final String uri, final int size, final boolean json) throws Exception {
        try (Bus bus = Bus.open(uri);
             Child child = new Child(json ? "bus-echo-json" : "bus-echo-raw", uri)) {
            final PingPongState state = new PingPongState();
            final ByteBuf ping = Unpooled.directBuffer(Math.max(size, 8));
            ping.writeZero(Math.max(size, 8));
            if (json) {
                bus.subscribe("bench.pong", Ping.class, (pong, context) -> {
                    final long now = System.nanoTime();
                    state.roundTrips = state.roundTrips + 1;
                    if (state.phase == MEASURING) {
                        state.histogram.recordValue(now - pong.sentNanos());
                    }
                    if (state.phase != STOPPED) {
                        bus.publish("bench.ping", new Ping(System.nanoTime(), pong.seq() + 1, "EURUSD", 1.0842));
                    }
                    state.receiveThread = Thread.currentThread().getId();
                });
            } else {
                bus.subscribeRaw("bench.pong", (pong, context) -> {
                    final long now = System.nanoTime();
                    if (state.phase == MEASURING) {
                        state.histogram.recordValue(now - pong.getLongLE(pong.readerIndex()));
                    }
                    if (state.phase != STOPPED) {
                        ping.setLongLE(0, System.nanoTime());
                        bus.publishRaw("bench.ping", ping);
                    }
                    state.receiveThread = Thread.currentThread().getId();
                });
            }
            if (json) {
                bus.publish("bench.ping", new Ping(System.nanoTime(), 0, "EURUSD", 1.0842));
            } else {
                ping.setLongLE(0, System.nanoTime());
                bus.publishRaw("bench.ping", ping);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(WARMUP));
            if (json) {
                // Jackson's call graph takes hundreds of thousands of messages to be JIT-compiled on a slow machine
                // (the jackson alone scenarios show it): warm up by count too, bounded in time.
                final long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JSON_WARMUP_MAX_SECONDS);
                while (state.roundTrips < JSON_WARMUP_ROUND_TRIPS && System.nanoTime() < warmDeadline) {
                    Thread.sleep(100);
                }
            }
            final long thread = state.receiveThread;
            final long allocatedBefore = thread == 0 ? 0 : THREADS.getThreadAllocatedBytes(thread);
            state.phase = MEASURING;
            Thread.sleep(TimeUnit.SECONDS.toMillis(SECONDS));
            state.phase = STOPPED;
            final long allocated = thread == 0 ? 0 : THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
            Thread.sleep(50);
            record(state.histogram);
            recordAllocation("parent receive thread (pong handler publishes the next ping)", allocated,
                state.histogram.getTotalCount());
            ping.release();
        }
    }

    private static void spiPingPong(final String bus, final String idle, final int size) throws Exception {
        final java.nio.file.Path runtime = java.nio.file.Files.createTempDirectory("ipcbus-bench-spi");
        final TransportContext context = new TransportContext(bus + "spi", new TransportOptions(Map.of("idle", idle)),
            runtime, node -> true, error -> System.err.println("parent: " + error));
        final PingPongState state = new PingPongState();
        final ByteBuf ping = Unpooled.directBuffer(Math.max(size, 8));
        ping.writeZero(Math.max(size, 8));
        final Outlet[] outlet = new Outlet[1];
        try (Transport transport = new FilemapTransportProvider().create(context)) {
            final long node = NodeIds.next();
            final Inbox inbox = transport.openInbox(node, pong -> {
                final long now = System.nanoTime();
                if (state.phase == MEASURING) {
                    state.histogram.recordValue(now - pong.getLongLE(pong.readerIndex()));
                }
                state.receiveThread = Thread.currentThread().getId();
                if (state.phase != STOPPED) {
                    ping.setLongLE(0, System.nanoTime());
                    outlet[0].offer(ping, TimeUnit.SECONDS.toNanos(10));
                }
            });
            try (Child child = new Child("spi-echo", runtime.toString(), bus + "spi", idle, NodeIds.format(node),
                inbox.address())) {
                final String[] address = child.firstLine.split(" ");
                outlet[0] = transport.openOutlet(NodeIds.parse(address[1]), address[2]);
                ping.setLongLE(0, System.nanoTime());
                outlet[0].offer(ping, TimeUnit.SECONDS.toNanos(10));
                Thread.sleep(TimeUnit.SECONDS.toMillis(WARMUP));
                final long thread = state.receiveThread;
                final long allocatedBefore = thread == 0 ? 0 : THREADS.getThreadAllocatedBytes(thread);
                state.phase = MEASURING;
                Thread.sleep(TimeUnit.SECONDS.toMillis(SECONDS));
                state.phase = STOPPED;
                final long allocated = thread == 0 ? 0 : THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
                Thread.sleep(50);
                record(state.histogram);
                recordAllocation("parent receive thread (listener offers the next ping)", allocated,
                    state.histogram.getTotalCount());
            }
        } finally {
            ping.release();
            java.nio.file.Files.deleteIfExists(runtime);
        }
    }

    private static void spiThroughput(final String bus, final String idle, final int size) throws Exception {
        final java.nio.file.Path runtime = java.nio.file.Files.createTempDirectory("ipcbus-bench-spi");
        final TransportContext context = new TransportContext(bus + "spi", new TransportOptions(
            Map.of("idle", idle, "capacity", "4MiB")), runtime, node -> true,
            error -> System.err.println("parent: " + error));
        final ByteBuf data = Unpooled.directBuffer(size);
        data.writeZero(size);
        try (Transport transport = new FilemapTransportProvider().create(context);
             Child child = new Child("spi-sink", runtime.toString(), bus + "spi", idle)) {
            final String[] address = child.firstLine.split(" ");
            final Outlet outlet = transport.openOutlet(NodeIds.parse(address[1]), address[2]);
            final long thread = Thread.currentThread().getId();
            final long timeout = TimeUnit.SECONDS.toNanos(10);
            final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP);
            while (System.nanoTime() < warmEnd) {
                for (int i = 0; i < 1000; i++) {
                    outlet.offer(data, timeout);
                }
            }
            final long before = child.count();
            final long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
            long sent = 0;
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    outlet.offer(data, timeout);
                }
                sent += 1000;
            }
            final long allocated = THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
            final long elapsed = System.nanoTime() - start;
            recordThroughput(child.count() - before, elapsed, size);
            recordAllocation("publisher thread (Outlet.offer loop)", allocated, sent);
        } finally {
            data.release();
            java.nio.file.Files.deleteIfExists(runtime);
        }
    }

    private static void busLowRate(final String uri) throws Exception {
        try (Bus bus = Bus.open(uri); Child child = new Child("bus-echo-raw", uri)) {
            final PingPongState state = new PingPongState();
            final ByteBuf ping = Unpooled.directBuffer(32);
            ping.writeZero(32);
            bus.subscribeRaw("bench.pong", (pong, context) -> {
                if (state.phase == MEASURING) {
                    state.histogram.recordValue(System.nanoTime() - pong.getLongLE(pong.readerIndex()));
                }
            });
            final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(1);
            final long start = System.nanoTime();
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(WARMUP);
            final long end = measureFrom + TimeUnit.SECONDS.toNanos(SECONDS);
            long next = start;
            while (true) {
                long now = System.nanoTime();
                while (now < next) {
                    LockSupport.parkNanos(next - now);
                    now = System.nanoTime();
                }
                if (now >= end) {
                    break;
                }
                state.phase = now >= measureFrom ? MEASURING : WARMING;
                ping.setLongLE(0, System.nanoTime());
                bus.publishRaw("bench.ping", ping);
                next += intervalNanos;
            }
            Thread.sleep(50);
            state.phase = STOPPED;
            record(state.histogram);
            ping.release();
        }
    }

    /**
     * @param publisherUri the publishing node's URI (its idle mode is its own inbox's, which receives nothing, and its
     *                     outlet's when the sink's ring is full).
     * @param sinkUri      the counting child node's URI.
     */
    private static void busThroughput(final String publisherUri, final String sinkUri, final int size)
        throws Exception {
        try (Bus bus = Bus.open(publisherUri); Child child = new Child("bus-sink", sinkUri)) {
            final ByteBuf data = Unpooled.directBuffer(size);
            data.writeZero(size);
            final long thread = Thread.currentThread().getId();
            final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP);
            while (System.nanoTime() < warmEnd) {
                for (int i = 0; i < 1000; i++) {
                    bus.publishRaw("bench.data", data);
                }
            }
            final long before = child.count();
            final long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
            long sent = 0;
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    bus.publishRaw("bench.data", data);
                }
                sent += 1000;
            }
            final long allocated = THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
            final long elapsed = System.nanoTime() - start;
            final long received = child.count() - before;
            recordThroughput(received, elapsed, size);
            recordAllocation("publisher thread (publishRaw loop)", allocated, sent);
            data.release();
        }
    }

    private static void aeronPingPong(final Aeron aeron, final String dir, final int size, final boolean spin)
        throws Exception {
        try (Publication ping = aeron.addPublication("aeron:ipc", 10);
             Subscription pong = aeron.addSubscription("aeron:ipc", 11);
             Child child = new Child("aeron-echo", dir, spin ? "spin" : "backoff")) {
            while (!ping.isConnected() || !pong.isConnected()) {
                Thread.sleep(1);
            }
            final IdleStrategy idle = spin ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, 8)));
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long[] received = {0};
            final FragmentHandler handler = (b, offset, length, header) -> received[0] = b.getLong(offset);
            final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP);
            final long end = warmEnd + TimeUnit.SECONDS.toNanos(SECONDS);
            long now;
            while ((now = System.nanoTime()) < end) {
                buffer.putLong(0, now);
                while (ping.offer(buffer, 0, Math.max(size, 8)) < 0) {
                    Thread.onSpinWait();
                }
                received[0] = 0;
                while (received[0] == 0) {
                    idle.idle(pong.poll(handler, 1));
                }
                idle.reset();
                final long rtt = System.nanoTime() - received[0];
                if (now >= warmEnd) {
                    histogram.recordValue(rtt);
                }
            }
            record(histogram);
        }
    }

    private static void aeronLowRate(final Aeron aeron, final String dir) throws Exception {
        try (Publication ping = aeron.addPublication("aeron:ipc", 10);
             Subscription pong = aeron.addSubscription("aeron:ipc", 11);
             Child child = new Child("aeron-echo", dir, "backoff")) {
            while (!ping.isConnected() || !pong.isConnected()) {
                Thread.sleep(1);
            }
            final IdleStrategy idle = new BackoffIdleStrategy();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long[] received = {0};
            final FragmentHandler handler = (b, offset, length, header) -> received[0] = b.getLong(offset);
            final long start = System.nanoTime();
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(WARMUP);
            final long end = measureFrom + TimeUnit.SECONDS.toNanos(SECONDS);
            long next = start;
            while (true) {
                long now = System.nanoTime();
                while (now < next) {
                    LockSupport.parkNanos(next - now);
                    now = System.nanoTime();
                }
                if (now >= end) {
                    break;
                }
                buffer.putLong(0, System.nanoTime());
                while (ping.offer(buffer, 0, 32) < 0) {
                    Thread.onSpinWait();
                }
                received[0] = 0;
                while (received[0] == 0) {
                    idle.idle(pong.poll(handler, 1));
                }
                idle.reset();
                if (now >= measureFrom) {
                    histogram.recordValue(System.nanoTime() - received[0]);
                }
                next += TimeUnit.MILLISECONDS.toNanos(1);
            }
            record(histogram);
        }
    }

    private static void aeronThroughput(final Aeron aeron, final String dir, final int size) throws Exception {
        try (Publication data = aeron.addPublication("aeron:ipc", 12);
             Child child = new Child("aeron-sink", dir, "spin")) {
            while (!data.isConnected()) {
                Thread.sleep(1);
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP);
            while (System.nanoTime() < warmEnd) {
                for (int i = 0; i < 1000; i++) {
                    while (data.offer(buffer, 0, size) < 0) {
                        Thread.onSpinWait();
                    }
                }
            }
            final long before = child.count();
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    while (data.offer(buffer, 0, size) < 0) {
                        Thread.onSpinWait();
                    }
                }
            }
            final long elapsed = System.nanoTime() - start;
            recordThroughput(child.count() - before, elapsed, size);
        }
    }
}
