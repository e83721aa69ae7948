// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.transport.pipe.posix.PosixPipePlatform;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.Subscription;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Cross-process ping-pong and throughput of {@code pipe://} through {@link Bus} (raw payloads and Jackson), against a
 * raw JDK Unix-domain-socket ping-pong (no bus, no frames: fixed-size messages echoed back) measured in the same run,
 * for 32 B and 1 KiB payloads. Not a test (surefire and failsafe do not run it).
 * <p>
 * Run (after {@code mvn -pl .,transport-pipe test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * -Dmdep.includeScope=test}):
 * {@code java -cp transport-pipe/target/test-classes:transport-pipe/target/classes:$(cat /tmp/cp.txt)
 * dev.ipcbus.transport.pipe.PipePingPongBenchmark [rounds] [messages] [repeats]}. Defaults: 20000 round trips (after a
 * warm-up of a quarter of that) and 200000 throughput messages per case, all cases once; with {@code repeats} above 1
 * the cases run that many times in turn and the median of each ratio is printed at the end. Children are started with
 * {@code ProcessBuilder} ({@code java.home}, {@code java.class.path}) and killed at the end; the bus runs in a
 * temporary runtime directory, removed at the end. Properties read: none.
 * <p>
 * Round trip: the parent sends, the child echoes, the parent receives; the bus cases chain the next ping from the
 * pong handler (no hand-off to another thread), like the raw case's blocking read on the main thread.
 * Throughput: one-way, the parent sends {@code messages} messages one write (one publish) each, the child counts them
 * and answers once at the end.
 */
public final class PipePingPongBenchmark {
    private static final long CASE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private PipePingPongBenchmark() {
    }

    /** A Jackson message. */
    public record Ping(long seq, String body) {
    }

    private static String ratioLine(final String what, final int size, final double[] ratio) {
        return String.format(Locale.ROOT, "  %s size=%d vs raw-uds: p50 pipe-transport %.2fx, bus-raw %.2fx, "
            + "bus-jackson %.2fx; throughput pipe-transport %.2fx, bus-raw %.2fx", what, size, ratio[0], ratio[1],
            ratio[2], ratio[3], ratio[4]);
    }

    /**
     * @param args {@code [rounds] [messages] [repeats]}, or a child mode.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child-uds")) {
            childUds(Path.of(args[1]));
            return;
        }
        if (args.length > 0 && args[0].equals("child-bus")) {
            childBus(args[1]);
            return;
        }
        if (args.length > 0 && args[0].equals("child-transport")) {
            childTransport(Path.of(args[1]), NodeIds.parse(args[2]), NodeIds.parse(args[3]), args[4]);
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        final int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        // Per size: the ratios to raw-uds of each repeat (p50 pipe-transport, bus-raw, bus-jackson; throughput
        // pipe-transport, bus-raw), summarized as medians at the end.
        final java.util.Map<Integer, List<double[]>> ratios = new java.util.TreeMap<>();
        final Path runtime = Files.createTempDirectory("pipebench");
        System.setProperty(BusConfig.RUNTIME_DIR_PROPERTY, runtime.toString());
        final String uri = "pipe://bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        final Path socket = runtime.resolve("raw.sock");
        final List<Process> children = new ArrayList<>();
        final List<String> report = new ArrayList<>();
        final String loadStart = loadAverage();
        try {
            final Process uds = start(children, "child-uds", socket.toString());
            final Process busChild = start(children, "child-bus", uri);
            final TransportBench transport = new TransportBench(runtime);
            final Process transportChild = start(children, "child-transport", runtime.toString(),
                NodeIds.format(transport.childNode), NodeIds.format(transport.parentNode), transport.inbox.address());
            report.add(String.format(Locale.ROOT, "%-14s %6s %9s %9s %9s %12s", "case", "size", "p50 us",
                "p99 us", "p99.9 us", "msgs/s"));
            // Warm-up: every code path once, in both processes, so no measured case pays for JIT compilation.
            udsPingPong(socket, 32, rounds / 2);
            udsThroughput(socket, 32, messages / 4);
            transport.pingPong(32, rounds / 2);
            transport.throughput(32, messages / 4);
            try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build())) {
                busPingPong(bus, 32, rounds / 2, false);
                busPingPong(bus, 32, rounds / 2, true);
                busThroughput(bus, 32, messages / 4);
            }
            for (int repeat = 0; repeat < repeats; repeat++) {
                for (final int size : new int[] {32, 1024}) {
                    final long[] raw = udsPingPong(socket, size, rounds);
                    final double rawTput = udsThroughput(socket, size, messages);
                    report.add(line("raw-uds", size, raw, rawTput));
                    final long[] pipe = transport.pingPong(size, rounds);
                    final double pipeTput = transport.throughput(size, messages);
                    report.add(line("pipe-transport", size, pipe, pipeTput));
                    try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build())) {
                        final long[] busRaw = busPingPong(bus, size, rounds, false);
                        final double busTput = busThroughput(bus, size, messages);
                        report.add(line("bus-raw", size, busRaw, busTput));
                        final long[] busJson = busPingPong(bus, size, rounds, true);
                        report.add(line("bus-jackson", size, busJson, Double.NaN));
                        final double rawP50 = percentile(raw, 0.5);
                        final double[] ratio = {percentile(pipe, 0.5) / rawP50, percentile(busRaw, 0.5) / rawP50,
                            percentile(busJson, 0.5) / rawP50, pipeTput / rawTput, busTput / rawTput};
                        ratios.computeIfAbsent(size, key -> new ArrayList<>()).add(ratio);
                        report.add(ratioLine("ratios", size, ratio));
                    }
                }
            }
            if (repeats > 1) {
                for (final java.util.Map.Entry<Integer, List<double[]>> entry : ratios.entrySet()) {
                    final double[] medians = new double[5];
                    for (int i = 0; i < medians.length; i++) {
                        final int index = i;
                        final double[] sorted = entry.getValue().stream().mapToDouble(r -> r[index]).sorted()
                            .toArray();
                        medians[i] = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
                    }
                    report.add(ratioLine("median of " + repeats + " repeats", entry.getKey(), medians));
                }
            }
            System.out.println("rounds=" + rounds + " messages=" + messages + " cpus="
                + Runtime.getRuntime().availableProcessors() + " java=" + System.getProperty("java.version")
                + " loadavg(start)=" + loadStart + " loadavg(end)=" + loadAverage());
            report.forEach(System.out::println);
            transport.close();
            busChild.isAlive();
            uds.isAlive();
            transportChild.isAlive();
        } finally {
            for (final Process child : children) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(runtime)) {
                for (final Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().replace(' ', '/');
        } catch (final IOException ex) {
            return "n/a";
        }
    }

    private static String line(final String name, final int size, final long[] rtt, final double tput) {
        return String.format(Locale.ROOT, "%-14s %6d %9.1f %9.1f %9.1f %12s", name, size, percentile(rtt, 0.5) / 1e3,
            percentile(rtt, 0.99) / 1e3, percentile(rtt, 0.999) / 1e3,
            Double.isNaN(tput) ? "-" : String.format(Locale.ROOT, "%.0f", tput));
    }

    private static double percentile(final long[] sorted, final double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static Process start(final List<Process> children, final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin",
            "java").toString(), "-Xmx256m", "-D" + BusConfig.RUNTIME_DIR_PROPERTY + "="
            + System.getProperty(BusConfig.RUNTIME_DIR_PROPERTY), "-cp", System.getProperty("java.class.path"),
            PipePingPongBenchmark.class.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(process);
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final String line = out.readLine();
        if (!"READY".equals(line)) {
            throw new IllegalStateException("child did not start: " + line);
        }
        return process;
    }

    // ------------------------------------------------------------------------------------------------- raw sockets

    private static long[] udsPingPong(final Path socket, final int size, final int rounds) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            final ByteBuffer header = ByteBuffer.allocate(12).putInt(1).putInt(size).putInt(0).flip();
            channel.write(header);
            final ByteBuffer out = ByteBuffer.allocateDirect(size);
            final ByteBuffer in = ByteBuffer.allocateDirect(size);
            final long[] rtt = new long[rounds];
            final long limit = System.nanoTime() + CASE_LIMIT_NANOS;
            for (int i = -rounds / 4; i < rounds; i++) {
                final long start = System.nanoTime();
                out.clear();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                in.clear();
                while (in.hasRemaining()) {
                    if (channel.read(in) < 0) {
                        throw new IOException("echo child closed");
                    }
                }
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
                if (start > limit) {
                    throw new IllegalStateException("case over its time limit");
                }
            }
            Arrays.sort(rtt);
            return rtt;
        }
    }

    private static double udsThroughput(final Path socket, final int size, final int messages) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.allocate(12).putInt(2).putInt(size).putInt(messages).flip());
            final ByteBuffer out = ByteBuffer.allocateDirect(size);
            final long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                out.clear();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            }
            final ByteBuffer ack = ByteBuffer.allocate(1);
            while (ack.hasRemaining()) {
                if (channel.read(ack) < 0) {
                    throw new IOException("sink child closed");
                }
            }
            return messages / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void childUds(final Path socket) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("READY");
            System.out.flush();
            while (true) {
                try (SocketChannel channel = server.accept()) {
                    final ByteBuffer header = ByteBuffer.allocate(12);
                    while (header.hasRemaining()) {
                        if (channel.read(header) < 0) {
                            return;
                        }
                    }
                    header.flip();
                    final int mode = header.getInt();
                    final int size = header.getInt();
                    final long expected = (long) header.getInt() * size;
                    if (mode == 1) {
                        final ByteBuffer buffer = ByteBuffer.allocateDirect(size);
                        while (true) {
                            buffer.clear();
                            while (buffer.hasRemaining()) {
                                if (channel.read(buffer) < 0) {
                                    break;
                                }
                            }
                            if (buffer.hasRemaining()) {
                                break;
                            }
                            buffer.flip();
                            while (buffer.hasRemaining()) {
                                channel.write(buffer);
                            }
                        }
                    } else {
                        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
                        long total = 0;
                        while (total < expected) {
                            buffer.clear();
                            final int count = channel.read(buffer);
                            if (count < 0) {
                                break;
                            }
                            total += count;
                        }
                        channel.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                } catch (final IOException ex) {
                    // next connection
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- transport

    private static final byte ECHO = 'E';
    private static final byte START = 'S';
    private static final byte COUNT = 'T';

    private static TransportContext context(final Path runtime) {
        return new TransportContext("bench", new TransportOptions(Map.of()), runtime, node -> true,
            Throwable::printStackTrace);
    }

    /** The pipe transport alone (no bus core): the parent's inbox, an outlet to the child's. */
    private static final class TransportBench implements AutoCloseable {
        final long parentNode = NodeIds.next();
        final long childNode = NodeIds.next();
        final PipeTransport transport;
        final Inbox inbox;
        final AtomicLong received = new AtomicLong();
        volatile Runnable onFrame = () -> { };
        Outlet outlet;

        TransportBench(final Path runtime) {
            transport = new PipeTransport(context(runtime), new PipeOptions(PipeOptions.DEFAULT_MAX_FRAME_LENGTH,
                java.time.Duration.ofSeconds(5)), new PosixPipePlatform(runtime, "bench", Throwable::printStackTrace));
            inbox = transport.openInbox(parentNode, frame -> {
                received.incrementAndGet();
                onFrame.run();
            });
        }

        private Outlet outlet() {
            if (outlet == null) {
                outlet = transport.openOutlet(childNode, Path.of(inbox.address()).resolveSibling(
                    NodeIds.format(childNode) + ".sock").toString());
            }
            return outlet;
        }

        long[] pingPong(final int size, final int rounds) throws InterruptedException {
            final Outlet out = outlet();
            final ByteBuf frame = Unpooled.directBuffer(size).writeByte(ECHO).writeZero(size - 1);
            final int total = rounds + rounds / 4;
            final long[] rtt = new long[rounds];
            final int[] count = {0};
            final long[] sentAt = {0};
            final CountDownLatch done = new CountDownLatch(1);
            onFrame = () -> {
                final long now = System.nanoTime();
                final int index = count[0]++ - rounds / 4;
                if (index >= 0) {
                    rtt[index] = now - sentAt[0];
                }
                if (count[0] >= total) {
                    done.countDown();
                } else {
                    sentAt[0] = System.nanoTime();
                    out.offer(frame, TimeUnit.SECONDS.toNanos(5));
                }
            };
            sentAt[0] = System.nanoTime();
            out.offer(frame, TimeUnit.SECONDS.toNanos(5));
            final boolean finished = done.await(CASE_LIMIT_NANOS, TimeUnit.NANOSECONDS);
            onFrame = () -> { };
            frame.release();
            if (!finished) {
                throw new IllegalStateException("transport ping-pong over its time limit");
            }
            Arrays.sort(rtt);
            return rtt;
        }

        double throughput(final int size, final int messages) throws InterruptedException {
            final Outlet out = outlet();
            final CountDownLatch done = new CountDownLatch(1);
            onFrame = done::countDown;
            final ByteBuf start = Unpooled.buffer(5).writeByte(START).writeInt(messages);
            out.offer(start, TimeUnit.SECONDS.toNanos(5));
            start.release();
            final ByteBuf frame = Unpooled.directBuffer(size).writeByte(COUNT).writeZero(size - 1);
            final long begin = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                if (out.offer(frame, TimeUnit.SECONDS.toNanos(5)) != Outlet.SENT) {
                    throw new IllegalStateException("throughput offer failed");
                }
            }
            final boolean finished = done.await(CASE_LIMIT_NANOS, TimeUnit.NANOSECONDS);
            final double rate = messages / ((System.nanoTime() - begin) / 1e9);
            frame.release();
            onFrame = () -> { };
            if (!finished) {
                throw new IllegalStateException("transport throughput over its time limit");
            }
            return rate;
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    private static void childTransport(final Path runtime, final long self, final long parent,
        final String parentAddress) throws Exception {
        final PipeTransport transport = new PipeTransport(context(runtime),
            new PipeOptions(PipeOptions.DEFAULT_MAX_FRAME_LENGTH, java.time.Duration.ofSeconds(5)),
            new PosixPipePlatform(runtime, "bench", Throwable::printStackTrace));
        final Outlet[] back = new Outlet[1];
        final int[] expected = {0};
        final int[] counted = {0};
        final ByteBuf ack = Unpooled.buffer(1).writeByte('A');
        transport.openInbox(self, frame -> {
            final byte kind = frame.getByte(frame.readerIndex());
            if (kind == ECHO) {
                back[0].offer(frame, TimeUnit.SECONDS.toNanos(5));
            } else if (kind == START) {
                expected[0] = frame.getInt(frame.readerIndex() + 1);
                counted[0] = 0;
            } else if (++counted[0] == expected[0]) {
                back[0].offer(ack, TimeUnit.SECONDS.toNanos(5));
            }
        });
        back[0] = transport.openOutlet(parent, parentAddress);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------------------------------------- bus

    private static long[] busPingPong(final Bus bus, final int size, final int rounds, final boolean json)
        throws InterruptedException {
        final int total = rounds + rounds / 4;
        final long[] rtt = new long[rounds];
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong sentAt = new AtomicLong();
        final int[] count = {0};
        final ByteBuf payload = Unpooled.directBuffer(size).writeZero(size);
        final Ping ping = new Ping(0, "x".repeat(Math.max(1, size - 20)));
        final Runnable send = () -> {
            sentAt.set(System.nanoTime());
            if (json) {
                bus.publish("bench.jping", ping);
            } else {
                bus.publishRaw("bench.ping", payload);
            }
        };
        final Runnable onPong = () -> {
            final long now = System.nanoTime();
            final int index = count[0]++ - rounds / 4;
            if (index >= 0 && index < rounds) {
                rtt[index] = now - sentAt.get();
            }
            if (count[0] >= total) {
                done.countDown();
            } else {
                send.run();
            }
        };
        final Subscription subscription = json
            ? bus.subscribe("bench.jpong", Ping.class, (message, context) -> onPong.run())
            : bus.subscribeRaw("bench.pong", (message, context) -> onPong.run());
        try {
            awaitRoute(bus, json);
            send.run();
            if (!done.await(CASE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("bus ping-pong over its time limit: count=" + count[0]);
            }
        } finally {
            subscription.close();
            payload.release();
        }
        Arrays.sort(rtt);
        return rtt;
    }

    /** Waits until the child's subscriptions are visible: a probe gets its answer. */
    private static void awaitRoute(final Bus bus, final boolean json) throws InterruptedException {
        final CountDownLatch ready = new CountDownLatch(1);
        try (Subscription probe = bus.subscribeRaw("bench.probe.ok", (message, context) -> ready.countDown())) {
            final long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ready.await(50, TimeUnit.MILLISECONDS)) {
                bus.publishRaw("bench.probe", new byte[] {1});
                if (System.nanoTime() > limit) {
                    throw new IllegalStateException("child never answered the probe");
                }
            }
        }
    }

    private static double busThroughput(final Bus bus, final int size, final int messages)
        throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(1);
        final ByteBuf payload = Unpooled.directBuffer(size).writeZero(size);
        try (Subscription subscription = bus.subscribeRaw("bench.tput.done", (m, c) -> done.countDown())) {
            awaitRoute(bus, false);
            final ByteBuf count = Unpooled.buffer(4).writeInt(messages);
            bus.publishRaw("bench.tput.start", count);
            count.release();
            final long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                bus.publishRaw("bench.tput", payload);
            }
            if (!done.await(CASE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("bus throughput over its time limit");
            }
            return messages / ((System.nanoTime() - start) / 1e9);
        } finally {
            payload.release();
        }
    }

    private static void childBus(final String uri) throws Exception {
        try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build())) {
            final int[] expected = {0};
            final int[] received = {0};
            bus.subscribeRaw("bench.ping", (payload, context) -> bus.publishRaw("bench.pong", payload));
            bus.subscribe("bench.jping", Ping.class, (ping, context) -> bus.publish("bench.jpong", ping));
            bus.subscribeRaw("bench.probe", (payload, context) -> bus.publishRaw("bench.probe.ok", payload));
            bus.subscribeRaw("bench.tput.start", (payload, context) -> {
                expected[0] = payload.getInt(payload.readerIndex());
                received[0] = 0;
            });
            bus.subscribeRaw("bench.tput", (payload, context) -> {
                if (++received[0] == expected[0]) {
                    bus.publishRaw("bench.tput.done", new byte[] {1});
                }
            });
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
