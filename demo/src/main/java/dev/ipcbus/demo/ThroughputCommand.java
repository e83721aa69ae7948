// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One-way throughput: starts a sink process, publishes as fast as the transport accepts for {@code --seconds} (or
 * {@code --count} messages), and reports what the sink received per second, checking that nothing was lost.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Publish as fast as possible to a sink process and report messages/s and MB/s.")
final class ThroughputCommand implements Callable<Integer> {
    /** How long the sink may take to report its count after the end marker was published. */
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    BusUriOption transport;

    @Option(names = "--size", defaultValue = "32", description = "Payload bytes (default 32).")
    int size;

    @Option(names = "--json", description = "Publish a small Jackson object instead of raw bytes.")
    boolean json;

    @Option(names = "--seconds", defaultValue = "5", description = "How long to publish (default 5).")
    int seconds;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many messages; 0 = use --seconds.")
    long count;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--size", size, 0);
        Arguments.atLeast("--seconds", seconds, 1);
        Arguments.atLeast("--count", count, 0);
        final BusConfig config = transport.config();
        final String uri = config.uri().toString();
        final String id = Long.toHexString(System.nanoTime() & 0xFFFFFF);
        final CompletableFuture<String> result = new CompletableFuture<>();
        long sent = 0;
        try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder().uri(uri).nodeName("throughput").build());
             ChildProcess sink = ChildProcess.start(line -> {
                 if (line.startsWith("COUNT")) {
                     result.complete(line);
                 } else {
                     System.out.println("[sink] " + line);
                 }
             }, "sink", "--transport", uri, "--id", id)) {
            sink.awaitReady(Duration.ofSeconds(30));
            final String topic = "bench.tp." + id;
            final ByteBuf payload = Unpooled.directBuffer(size).writeZero(size);
            final Shop.Order order = Shop.order(3);
            try {
                final long start = System.nanoTime();
                final long end = start + TimeUnit.SECONDS.toNanos(seconds);
                long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
                long lastSent = 0;
                while (count > 0 ? sent < count : (sent & 255) != 0 || System.nanoTime() < end) {
                    if (json) {
                        bus.publish(topic, order);
                    } else {
                        bus.publishRaw(topic, payload);
                    }
                    sent++;
                    if ((sent & 1023) == 0 && System.nanoTime() > nextProgress) {
                        System.err.printf(Locale.ROOT, "  ... %,d sent (%,d msg/s)%n", sent, sent - lastSent);
                        lastSent = sent;
                        nextProgress += TimeUnit.SECONDS.toNanos(1);
                    }
                }
                bus.publishRaw(topic + ".end", new byte[0]);
            } finally {
                payload.release();
            }
            final String[] fields = awaitCount(result, sink, topic, sent).split(" ");
            final long received = Long.parseLong(fields[1]);
            final long bytes = Long.parseLong(fields[2]);
            final double elapsed = Math.max(1, Long.parseLong(fields[3])) / 1e9;
            System.out.printf(Locale.ROOT, "%s %s: sent %,d, received %,d in %.2f s: %,.0f msg/s, %.1f MB/s%s%n",
                uri, json ? "JSON object" : size + " B raw", sent, received, elapsed, received / elapsed,
                bytes / elapsed / 1e6, received == sent ? "" : "  LOST " + (sent - received));
            sink.finish(Duration.ofSeconds(10));
            return received == sent ? 0 : 1;
        }
    }

    /**
     * Waits for the sink's {@code COUNT} line, which it prints once it has seen the end marker.
     *
     * @throws IllegalStateException naming what was awaited, if it does not come within {@link #COUNT_TIMEOUT}.
     */
    private static String awaitCount(final CompletableFuture<String> result, final ChildProcess sink,
        final String topic, final long sent) throws Exception {
        try {
            return result.get(COUNT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (final TimeoutException ex) {
            throw new IllegalStateException("the sink did not report what it received within " + COUNT_TIMEOUT
                + ": awaited its COUNT line, printed when the end marker " + topic + ".end arrives: sinkPid="
                + sink.pid() + ", sinkAlive=" + sink.isAlive() + ", sent=" + sent + " (a sink that sees nothing is on "
                + "another bus directory: same URI and runtime directory in both processes?)", ex);
        }
    }
}
