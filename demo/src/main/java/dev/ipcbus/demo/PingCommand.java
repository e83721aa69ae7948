// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round-trip latency: publishes a payload on {@code bench.ping.<id>}, waits (spinning) for {@code pong} to echo it on
 * {@code bench.pong.<id>}, and reports percentiles (HdrHistogram). {@code --spawn} starts the pong process itself;
 * {@code --all} measures every transport and {@code --svg} plots them side by side.
 * <p>
 * This is a tool, not a benchmark harness: for figures worth comparing, use the bench module
 * ({@code docs/BENCHMARKS.md}); this machine's noise shows in the tail.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
    description = "Measure round-trip latency against a 'pong' process (raw bytes, or --json objects).")
final class PingCommand implements Callable<Integer> {
    private static final List<String> SCHEMES = List.of("filemap", "pipe", "mailslot");

    @Mixin
    BusUriOption transport;

    @Option(names = "--id", description = "Run id shared with 'pong' (default 0, or random with --spawn).")
    String id;

    @Option(names = "--spawn", description = "Start the pong process myself (and stop it at the end).")
    boolean spawn;

    @Option(names = "--all", description = "Measure filemap, pipe and mailslot in turn (implies --spawn).")
    boolean all;

    @Option(names = "--size", defaultValue = "32", description = "Payload bytes for raw pings (default 32).")
    int size;

    @Option(names = "--json", description = "Send a small Jackson object instead of raw bytes.")
    boolean json;

    @Option(names = "--count", defaultValue = "20000", description = "Measured round trips (default 20000).")
    int count;

    @Option(names = "--warmup", defaultValue = "5000", description = "Unmeasured round trips first (default 5000).")
    int warmup;

    @Option(names = "--max-seconds", defaultValue = "60", description = "Stop measuring after this long (60).")
    int maxSeconds;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Write the percentile distribution (.hgrm).")
    Path hgrm;

    @Option(names = "--svg", paramLabel = "FILE", description = "Write a percentile chart (SVG).")
    Path svg;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--size", size, 0);
        Arguments.atLeast("--count", count, 1);
        Arguments.atLeast("--warmup", warmup, 0);
        Arguments.atLeast("--max-seconds", maxSeconds, 1);
        final Map<String, Histogram> results = new LinkedHashMap<>();
        if (all) {
            for (final String scheme : SCHEMES) {
                final String uri = scheme + "://ping";
                try {
                    results.put(scheme, measure(uri, true));
                } catch (final BusException ex) {
                    System.out.println(scheme + ": skipped: " + IpcbusDemo.describe(ex));
                }
            }
            printComparison(results);
        } else {
            final BusConfig config = transport.config();
            results.put(config.uri().scheme(), measure(config.uri().toString(), spawn));
        }
        if (hgrm != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm))) {
                for (final Map.Entry<String, Histogram> entry : results.entrySet()) {
                    out.println("# " + entry.getKey() + " round trip, microseconds");
                    entry.getValue().outputPercentileDistribution(out, 1000.0);
                }
            }
            System.out.println("wrote " + hgrm);
        }
        if (svg != null) {
            LatencyChart.write(svg, "ipcbus round trip, " + (json ? "JSON object" : size + " B raw"), results);
            System.out.println("wrote " + svg);
        }
        return 0;
    }

    private Histogram measure(final String uri, final boolean spawnPong) throws Exception {
        final String runId = id != null ? id : spawnPong ? Long.toHexString(System.nanoTime() & 0xFFFFFF) : "0";
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        ChildProcess pong = null;
        try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder().uri(uri).nodeName("ping").build())) {
            if (spawnPong) {
                pong = ChildProcess.start(System.out::println, "pong", "--transport", uri, "--id", runId);
                pong.awaitReady(Duration.ofSeconds(30));
            }
            final String pingTopic = "bench.ping." + runId;
            awaitPong(bus, pingTopic);
            final AtomicLong pongs = new AtomicLong();
            bus.subscribeRaw("bench.pong." + runId, (payload, context) -> pongs.incrementAndGet());
            final ByteBuf raw = Unpooled.directBuffer(size).writeZero(size);
            final Shop.Order order = Shop.order(7);
            try {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
                long lastProgress = System.nanoTime();
                long expected = 0;
                for (int i = 0; i < warmup + count && System.nanoTime() < deadline; i++) {
                    final long start = System.nanoTime();
                    if (json) {
                        bus.publish(pingTopic, order);
                    } else {
                        bus.publishRaw(pingTopic, raw);
                    }
                    expected++;
                    while (pongs.get() < expected) {
                        if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(5)) {
                            throw new IllegalStateException("pong did not answer within 5 s (round trip " + i + ")");
                        }
                        Thread.onSpinWait();
                    }
                    final long end = System.nanoTime();
                    if (i >= warmup) {
                        histogram.recordValue(Math.min(end - start, histogram.getHighestTrackableValue()));
                    }
                    if (end - lastProgress > TimeUnit.SECONDS.toNanos(2)) {
                        lastProgress = end;
                        System.err.printf(Locale.ROOT, "  ... %d of %d round trips%n", i + 1, warmup + count);
                    }
                }
            } finally {
                raw.release();
            }
        } finally {
            if (pong != null) {
                pong.finish(Duration.ofSeconds(10));
            }
        }
        printHistogram(uri, histogram);
        return histogram;
    }

    private static void awaitPong(final Bus bus, final String pingTopic) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bus.nodes().stream().noneMatch(node -> node.subscriptions().contains(pingTopic))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no pong process subscribed to " + pingTopic
                    + " within 30 s; start 'ipcbus-demo pong' with the same --transport and --id, or use --spawn");
            }
            Thread.sleep(50);
        }
    }

    private void printHistogram(final String uri, final Histogram histogram) {
        System.out.printf(Locale.ROOT, "%s round trip (%s, %d samples): p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
            uri, json ? "JSON object" : size + " B raw", histogram.getTotalCount(),
            Durations.format(histogram.getValueAtPercentile(50)), Durations.format(histogram.getValueAtPercentile(90)),
            Durations.format(histogram.getValueAtPercentile(99)),
            Durations.format(histogram.getValueAtPercentile(99.9)), Durations.format(histogram.getMaxValue()));
    }

    private static void printComparison(final Map<String, Histogram> results) {
        System.out.printf("%-10s %12s %12s %12s %12s %12s%n", "transport", "p50", "p90", "p99", "p99.9", "max");
        results.forEach((scheme, h) -> System.out.printf("%-10s %12s %12s %12s %12s %12s%n", scheme,
            Durations.format(h.getValueAtPercentile(50)), Durations.format(h.getValueAtPercentile(90)),
            Durations.format(h.getValueAtPercentile(99)), Durations.format(h.getValueAtPercentile(99.9)),
            Durations.format(h.getMaxValue())));
    }
}
