// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.spi.InboxCounters;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cross-process benchmark of {@code mailslot://} on Linux; a {@code main} program, not run by surefire or failsafe.
 * <ol>
 *   <li>Ping-pong round trip through the bus: this JVM publishes on {@code bench.ping}, a child JVM republishes on
 *   {@code bench.pong}; each reply triggers the next ping on the receive thread.</li>
 *   <li>The same ping-pong through the transport alone (SPI inbox and outlet, no bus core), to tell the transport's
 *   cost from the core's.</li>
 *   <li>The same ping-pong over raw {@code AF_UNIX} datagram sockets with no bus (JNA {@code send}/{@code recv}),
 *   with datagrams as long as the bus's frames.</li>
 *   <li>Fan-out throughput: one publisher (this JVM) to 1 and to 4 subscriber JVMs, time until every subscriber has
 *   received every message.</li>
 * </ol>
 * Each for 32-byte and 1 KiB payloads. Run (after {@code mvn -pl transport-mailslot test-compile}):
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp &lt;test-classes:classes:test class path&gt; \
 *     dev.ipcbus.transport.mailslot.posix.MailslotBenchmark
 * </pre>
 * System properties: {@code bench.rtt.warmup} (default 2000 round trips), {@code bench.rtt.iterations} (10000),
 * {@code bench.fan.messages} (20000 per run), {@code bench.rounds} (3: each case runs this many times, interleaved;
 * round-trip samples are pooled, fan-out times are the median), {@code bench.maxSeconds} (30, the bound of each
 * measurement).
 */
public final class MailslotBenchmark {
    private static final int WARMUP = Integer.getInteger("bench.rtt.warmup", 2000);
    private static final int ITERATIONS = Integer.getInteger("bench.rtt.iterations", 10000);
    private static final int FAN_MESSAGES = Integer.getInteger("bench.fan.messages", 20000);
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.maxSeconds", 30));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int[] PAYLOADS = {32, 1024};

    private MailslotBenchmark() {
    }

    /**
     * @param args none.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "mailslot benchmark: java %s, %s %s, %d cpus, warmup=%d, iterations=%d, "
                + "fanMessages=%d, rounds=%d%n", System.getProperty("java.version"), System.getProperty("os.name"),
            System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(), WARMUP, ITERATIONS,
            FAN_MESSAGES, ROUNDS);
        final List<String> table = new ArrayList<>();
        for (final int payload : PAYLOADS) {
            final int frameLength = FrameDescriptor.headerLength(FrameDescriptor.TYPE_PUBLISH, 0) + "bench.ping".length()
                + payload;
            long[] raw = new long[0];
            long[] transport = new long[0];
            long[] bus = new long[0];
            // Rounds interleave the three variants so that load from other processes spreads over all of them.
            for (int round = 0; round < ROUNDS; round++) {
                raw = concat(raw, rawPingPong(frameLength));
                transport = concat(transport, transportPingPong(frameLength));
                bus = concat(bus, busPingPong(payload));
            }
            table.add(String.format(Locale.ROOT, "| round trip, payload %d B (frame %d B) | %s | %s | %s | %.2f | "
                    + "%.2f |", payload, frameLength, summary(raw), summary(transport), summary(bus),
                (double)percentile(transport, 50) / percentile(raw, 50),
                (double)percentile(bus, 50) / percentile(raw, 50)));
        }
        for (final int payload : PAYLOADS) {
            final double[] ones = new double[ROUNDS];
            final double[] fours = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                ones[round] = fanOut(payload, 1);
                fours[round] = fanOut(payload, 4);
            }
            Arrays.sort(ones);
            Arrays.sort(fours);
            final double one = ones[ROUNDS / 2];
            final double four = fours[ROUNDS / 2];
            table.add(String.format(Locale.ROOT, "| fan-out, payload %d B | 1 sub: %.0f msg/s (%.2f s) | 4 subs: "
                    + "%.0f msg/s per sub (%.2f s) | time 4/1: %.2f | | |", payload, FAN_MESSAGES / one, one,
                FAN_MESSAGES / four, four, four / one));
        }
        System.out.println();
        System.out.println("| case | raw AF_UNIX p50/p90/p99 (us) | transport only p50/p90/p99 (us) "
            + "| bus p50/p90/p99 (us) | transport/raw p50 | bus/raw p50 |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        table.forEach(System.out::println);
    }

    private static long[] rawPingPong(final int size) throws Exception {
        final Path directory = Files.createTempDirectory("msbench");
        final Path own = directory.resolve("a.sock");
        final Path peer = directory.resolve("b.sock");
        final int in = LibCSocketCalls.socket();
        LibCSocketCalls.bind(in, own);
        final Child child = Child.start("raw-echo", peer.toString(), own.toString(), Integer.toString(size));
        final int out = LibCSocketCalls.socket();
        final Memory buffer = new Memory(size + 1);
        try {
            child.await("READY");
            if (LibCSocketCalls.connect(out, peer) != 0) {
                throw new IllegalStateException("connect to the raw echo child failed");
            }
            final long address = Pointer.nativeValue(buffer);
            final long[] samples = new long[ITERATIONS];
            final long deadline = System.nanoTime() + MAX_NANOS;
            int measured = 0;
            for (int i = 0; i < WARMUP + ITERATIONS && System.nanoTime() < deadline; i++) {
                final long start = System.nanoTime();
                LibCSocketCalls.send(out, address, size, 0);
                LibCSocketCalls.recv(in, address, size + 1, 0);
                if (i >= WARMUP) {
                    samples[measured++] = System.nanoTime() - start;
                }
            }
            return Arrays.copyOf(samples, measured);
        } finally {
            child.close();
            LibCSocketCalls.close(out);
            LibCSocketCalls.close(in);
            buffer.close();
            Files.deleteIfExists(own);
            Files.deleteIfExists(peer);
            Files.deleteIfExists(directory);
        }
    }

    private static long[] transportPingPong(final int size) throws Exception {
        final Path directory = Files.createTempDirectory("msbench");
        final long[] samples = new long[ITERATIONS];
        final int[] count = {0};
        final long[] start = {0};
        final CountDownLatch done = new CountDownLatch(1);
        final io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.directBuffer(size).writeZero(size);
        try (MailslotTransport transport = new MailslotTransport(
            PosixMailslotPlatform.create(directory, -1, Throwable::printStackTrace), id -> true,
            Throwable::printStackTrace, id -> InboxCounters.inMemory())) {
            final Outlet[] ping = new Outlet[1];
            final Inbox inbox = transport.openInbox(1, reply -> {
                final long now = System.nanoTime();
                final int i = count[0]++;
                if (i >= WARMUP) {
                    samples[i - WARMUP] = now - start[0];
                }
                if (i + 1 < WARMUP + ITERATIONS && done.getCount() > 0) {
                    start[0] = System.nanoTime();
                    ping[0].offer(frame, TimeUnit.SECONDS.toNanos(5));
                } else {
                    done.countDown();
                }
            });
            try (Child child = Child.start("transport-echo", directory.toString(), "2", inbox.address())) {
                child.await("READY");
                ping[0] = transport.openOutlet(2, directory.resolve("0000000000000002.sock").toString());
                start[0] = System.nanoTime();
                ping[0].offer(frame, TimeUnit.SECONDS.toNanos(5));
                if (!done.await(MAX_NANOS, TimeUnit.NANOSECONDS)) {
                    System.out.println("transport ping-pong: time bound reached");
                }
                done.countDown();
                Thread.sleep(50);
                return Arrays.copyOf(samples, Math.max(0, Math.min(ITERATIONS, count[0] - WARMUP - 1)));
            }
        } finally {
            frame.release();
            try (java.util.stream.Stream<Path> files = Files.list(directory)) {
                for (final Path file : (Iterable<Path>)files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    private static long[] busPingPong(final int payloadLength) throws Exception {
        final String uri = "mailslot://bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        final long[] samples = new long[ITERATIONS];
        final byte[] payload = new byte[payloadLength];
        final int[] count = {0};
        final long[] start = {0};
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build());
             Child child = Child.start("bus-echo", uri)) {
            child.await("READY");
            final Bus self = bus;
            bus.subscribeRaw("bench.pong", (reply, context) -> {
                final long now = System.nanoTime();
                first.countDown();
                final int i = count[0]++;
                if (i >= WARMUP && i - WARMUP < ITERATIONS) {
                    samples[i - WARMUP] = now - start[0];
                }
                if (i + 1 < WARMUP + ITERATIONS && done.getCount() > 0) {
                    start[0] = System.nanoTime();
                    self.publishRaw("bench.ping", payload);
                } else {
                    done.countDown();
                }
            });
            // The child may not see this node's subscription at once: ping until the first pong comes back.
            while (!first.await(100, TimeUnit.MILLISECONDS)) {
                start[0] = System.nanoTime();
                bus.publishRaw("bench.ping", payload);
            }
            if (!done.await(MAX_NANOS, TimeUnit.NANOSECONDS)) {
                System.out.println("bus ping-pong: time bound reached");
            }
            done.countDown();
            Thread.sleep(50);
            return Arrays.copyOf(samples, Math.max(0, Math.min(ITERATIONS, count[0] - WARMUP - 1)));
        }
    }

    private static double fanOut(final int payloadLength, final int subscribers) throws Exception {
        final String uri = "mailslot://bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        final byte[] payload = new byte[payloadLength];
        final List<Child> children = new ArrayList<>();
        try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build())) {
            for (int i = 0; i < subscribers; i++) {
                final Child child = Child.start("bus-sink", uri, Integer.toString(FAN_MESSAGES));
                children.add(child);
            }
            for (final Child child : children) {
                child.await("READY");
            }
            while (bus.nodes().stream().filter(node -> node.subscriptions().contains("bench.fan")).count()
                < subscribers) {
                Thread.sleep(10);
            }
            final long start = System.nanoTime();
            for (int i = 0; i < FAN_MESSAGES; i++) {
                bus.publishRaw("bench.fan", payload);
            }
            for (final Child child : children) {
                child.await("DONE");
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            for (final Child child : children) {
                child.close();
            }
        }
    }

    private static long[] concat(final long[] a, final long[] b) {
        final long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static long percentile(final long[] samples, final int percent) {
        final long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int)((long)sorted.length * percent / 100))];
    }

    private static String summary(final long[] samples) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f (n=%d)", percentile(samples, 50) / 1e3,
            percentile(samples, 90) / 1e3, percentile(samples, 99) / 1e3, samples.length);
    }

    /**
     * A child JVM running {@link MailslotBenchChild} with full JIT, killed on close.
     */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Child(final Process process) {
            this.process = process;
            final Thread pump = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (final IOException ignored) {
                    // the child ended
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        static Child start(final String... args) throws IOException {
            final List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), MailslotBenchChild.class.getName()));
            command.addAll(List.of(args));
            return new Child(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        void await(final String prefix) throws InterruptedException {
            final long deadline = System.nanoTime() + MAX_NANOS;
            while (System.nanoTime() < deadline) {
                final String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return;
                }
                if (line == null && !process.isAlive()) {
                    throw new IllegalStateException("bench child died: exit=" + process.exitValue());
                }
            }
            throw new IllegalStateException("bench child printed no " + prefix + " in time");
        }

        @Override
        public void close() throws InterruptedException {
            try {
                final OutputStream in = process.getOutputStream();
                in.close();
            } catch (final IOException ignored) {
                // already gone
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
