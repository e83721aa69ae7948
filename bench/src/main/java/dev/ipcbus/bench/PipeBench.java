// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code pipe://} through {@link Bus} against a raw JDK Unix-domain-socket ping-pong built the same way, in one run
 * of interleaved rounds: the 32 B round trip p50 of each, and their ratio per round.
 * <p>
 * <b>Like with like:</b> the raw side does what the pipe transport does on the wire and in threads, without the bus:
 * one stream connection per direction (the pipe transport's outlet writes to the peer's inbox socket, its own inbox
 * reads another connection; a single bidirectional socket measured 23-25 µs against 17.8 µs for two on this VM,
 * because a reader blocked on the socket it also writes to is woken again when its peer frees send space), a
 * 4-byte little-endian length before each message, each record sent with one {@code write} from a direct staging
 * buffer and received by blocking reads into a 64 KiB direct buffer that records are cut from. The bus side chains
 * the next ping from its pong handler (the inbox's reader thread), the raw side from the thread that read the pong:
 * no hand-off on either. Both children are JVMs started with the same flags, kept for the whole run. A warm-up round
 * runs first, unreported; each round then runs a warm-up of a quarter of the round trips and the measured ones, raw
 * first in odd rounds and bus first in even ones, so that drift within a round does not favour one side.
 * <p>
 * Run: {@code java -cp bench/target/ipcbus-bench.jar dev.ipcbus.bench.PipeBench}. Properties:
 * {@code -Dbench.rounds=5} (interleaved rounds), {@code -Dbench.roundTrips=20000} (measured round trips per side and
 * round). Prints each round's p50s and ratio, then the median of the per-round ratios and their range, and the bytes
 * the bus's receive thread allocated per round trip (it receives each pong and publishes the next ping). The runtime
 * directory is a temporary one, removed at the end; children are stopped at the end.
 */
public final class PipeBench {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int ROUND_TRIPS = Integer.getInteger("bench.roundTrips", 20_000);
    private static final int SIZE = 32;
    private static final long CASE_LIMIT_SECONDS = 60;
    /** The raw side's record prefix: the message length, as the pipe's record prefix. */
    private static final int PREFIX = 4;
    private static final int READ_BUFFER = 64 * 1024;
    private static final byte PING_DIRECTION = 'P';
    private static final byte PONG_DIRECTION = 'Q';
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Bytes the bus's receive thread allocated per measured round trip, in the last bus round. */
    private static double allocatedPerRoundTrip = Double.NaN;

    private PipeBench() {
    }

    /**
     * @param args none, or a child mode ({@code raw-echo <socket>}, {@code bus-echo <uri>}).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("raw-echo")) {
            rawEcho(Path.of(args[1]));
            return;
        }
        if (args.length > 0 && args[0].equals("bus-echo")) {
            busEcho(args[1]);
            return;
        }
        final Path runtime = Files.createTempDirectory("ipcbus-pipebench-");
        System.setProperty(BusConfig.RUNTIME_DIR_PROPERTY, runtime.toString());
        final String uri = "pipe://bench" + ProcessHandle.current().pid();
        final Path socket = runtime.resolve("raw.sock");
        final List<Process> children = new ArrayList<>();
        System.out.printf(Locale.ROOT, "# pipe:// vs raw Unix socket: %d rounds of %d round trips, %d B, %d CPUs, %s%n",
            ROUNDS, ROUND_TRIPS, SIZE, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"));
        try {
            start(children, runtime, "raw-echo", socket.toString());
            start(children, runtime, "bus-echo", uri);
            final double[] raw = new double[ROUNDS];
            final double[] bus = new double[ROUNDS];
            final double[] ratio = new double[ROUNDS];
            try (Bus node = Bus.open(BusConfig.builder().uri(uri).build());
                 RawClient client = new RawClient(socket)) {
                awaitRoute(node);
                client.pingPong(); // warm-up round, not reported: both sides compiled before round 1
                busPingPong(node);
                for (int round = 0; round < ROUNDS; round++) {
                    if (round % 2 == 0) {
                        raw[round] = client.pingPong();
                        bus[round] = busPingPong(node);
                    } else {
                        bus[round] = busPingPong(node);
                        raw[round] = client.pingPong();
                    }
                    ratio[round] = bus[round] / raw[round];
                    System.out.printf(Locale.ROOT, "round %d: rtt raw unix socket %dB p50 %.2f us, rtt pipe bus raw "
                        + "%dB p50 %.2f us, ratio %.3f%n", round + 1, SIZE, raw[round], SIZE, bus[round],
                        ratio[round]);
                }
            }
            System.out.printf(Locale.ROOT, "raw unix socket p50: median %.2f us (%.2f-%.2f)%n", median(raw), min(raw),
                max(raw));
            System.out.printf(Locale.ROOT, "pipe bus raw p50: median %.2f us (%.2f-%.2f)%n", median(bus), min(bus),
                max(bus));
            System.out.printf(Locale.ROOT, "pipe bus receive thread (receives the pong, publishes the next ping): "
                + "%.1f B allocated per round trip (last round)%n", allocatedPerRoundTrip);
            System.out.printf(Locale.ROOT, "pipe bus / raw unix socket, p50 round trip %d B: median of %d per-round "
                + "ratios %.3f (rounds %.3f-%.3f)%n", SIZE, ROUNDS, median(ratio), min(ratio), max(ratio));
        } finally {
            for (final Process child : children) {
                child.getOutputStream().close(); // the child exits at end of input
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> files = Files.walk(runtime)) {
                for (final Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(final double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(final double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static double p50Micros(final long[] rtt) {
        Arrays.sort(rtt);
        return rtt[rtt.length / 2] / 1e3;
    }

    /** Starts a child JVM with the flags every child gets, and waits for its {@code READY}. */
    private static void start(final List<Process> children, final Path runtime, final String... args)
        throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-D" + BusConfig.RUNTIME_DIR_PROPERTY + "=" + runtime, "-cp", System.getProperty("java.class.path"),
            PipeBench.class.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(process);
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final String line = out.readLine();
        if (!"READY".equals(line)) {
            throw new IllegalStateException("child did not start: args=" + List.of(args) + ", line=" + line);
        }
    }

    /** Blocks until the child exits: it does at end of its standard input. */
    private static void awaitEndOfInput() throws IOException {
        while (System.in.read() >= 0) {
            // nothing: the parent never writes
        }
    }

    // ------------------------------------------------------------------------------------------------ raw socket

    /**
     * Length-prefixed records over a stream: one staging buffer written whole, and a read buffer records are cut
     * from. Not thread-safe.
     */
    private static final class Framing {
        final ByteBuffer staging = ByteBuffer.allocateDirect(PREFIX + SIZE).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer received = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN);

        void send(final SocketChannel channel) throws IOException {
            staging.clear();
            staging.putInt(0, SIZE);
            while (staging.hasRemaining()) {
                channel.write(staging);
            }
        }

        /**
         * Reads until one whole record is in, and consumes it.
         *
         * @return {@code false} at end of stream.
         */
        boolean receive(final SocketChannel channel) throws IOException {
            while (received.position() < PREFIX || received.position() < PREFIX + received.getInt(0)) {
                if (channel.read(received) < 0) {
                    return false;
                }
            }
            received.flip();
            received.position(PREFIX + received.getInt(0));
            received.compact();
            return true;
        }
    }

    /** The parent's side: one connection for pings, one for pongs. */
    private static final class RawClient implements AutoCloseable {
        private final SocketChannel ping;
        private final SocketChannel pong;
        private final Framing framing = new Framing();

        RawClient(final Path socket) throws IOException {
            ping = connect(socket, PING_DIRECTION);
            pong = connect(socket, PONG_DIRECTION);
        }

        private static SocketChannel connect(final Path socket, final byte direction) throws IOException {
            final SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(new byte[] {direction}));
            return channel;
        }

        /** @return p50 in µs of {@link #ROUND_TRIPS} round trips after a quarter as many unmeasured. */
        double pingPong() throws IOException {
            final long[] rtt = new long[ROUND_TRIPS];
            for (int i = -ROUND_TRIPS / 4; i < ROUND_TRIPS; i++) {
                final long start = System.nanoTime();
                framing.send(ping);
                if (!framing.receive(pong)) {
                    throw new IOException("raw echo child closed");
                }
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
            }
            return p50Micros(rtt);
        }

        @Override
        public void close() throws IOException {
            ping.close();
            pong.close();
        }
    }

    /** The raw child: reads records on the ping connection and writes each back on the pong connection. */
    private static void rawEcho(final Path socket) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("READY");
            System.out.flush();
            SocketChannel ping = null;
            SocketChannel pong = null;
            try {
                while (ping == null || pong == null) {
                    final SocketChannel channel = server.accept();
                    final ByteBuffer direction = ByteBuffer.allocate(1);
                    while (direction.hasRemaining() && channel.read(direction) >= 0) {
                        // until the direction byte is in
                    }
                    if (direction.get(0) == PING_DIRECTION) {
                        ping = channel;
                    } else {
                        pong = channel;
                    }
                }
                final Framing framing = new Framing();
                while (framing.receive(ping)) {
                    framing.send(pong);
                }
            } finally {
                if (ping != null) {
                    ping.close();
                }
                if (pong != null) {
                    pong.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ bus

    /** Waits (bounded) until the child's subscription is visible: a probe gets its answer. */
    private static void awaitRoute(final Bus bus) throws InterruptedException {
        final CountDownLatch ready = new CountDownLatch(1);
        try (Subscription probe = bus.subscribeRaw("bench.probe.ok", (message, context) -> ready.countDown())) {
            final long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ready.await(50, TimeUnit.MILLISECONDS)) {
                bus.publishRaw("bench.probe", new byte[] {1});
                if (System.nanoTime() > limit) {
                    throw new IllegalStateException("bus echo child never answered the probe");
                }
            }
        }
    }

    /** @return p50 in µs of {@link #ROUND_TRIPS} round trips after a quarter as many unmeasured. */
    private static double busPingPong(final Bus bus) throws InterruptedException {
        final int total = ROUND_TRIPS + ROUND_TRIPS / 4;
        final long[] rtt = new long[ROUND_TRIPS];
        final long[] sentAt = new long[1];
        final long[] allocated = new long[2];
        final int[] count = {0};
        final CountDownLatch done = new CountDownLatch(1);
        final ByteBuf payload = Unpooled.directBuffer(SIZE).writeZero(SIZE);
        // Written and read by the inbox's reader thread only, after the first publish (happens-before via the
        // socket and the subscription's registration).
        final Subscription subscription = bus.subscribeRaw("bench.pong", (message, context) -> {
            final long now = System.nanoTime();
            final int index = count[0]++ - ROUND_TRIPS / 4;
            if (index >= 0) {
                rtt[index] = now - sentAt[0];
            } else if (index == -1) {
                allocated[0] = THREADS.getCurrentThreadAllocatedBytes();
            }
            if (count[0] >= total) {
                allocated[1] = THREADS.getCurrentThreadAllocatedBytes();
                done.countDown();
            } else {
                sentAt[0] = System.nanoTime();
                bus.publishRaw("bench.ping", payload);
            }
        });
        try {
            sentAt[0] = System.nanoTime();
            bus.publishRaw("bench.ping", payload);
            if (!done.await(CASE_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bus ping-pong over its time limit: count=" + count[0]);
            }
        } finally {
            subscription.close();
            payload.release();
        }
        allocatedPerRoundTrip = (double) (allocated[1] - allocated[0]) / ROUND_TRIPS;
        return p50Micros(rtt);
    }

    /** The bus child: echoes raw {@code bench.ping} to {@code bench.pong}, answers probes, until end of input. */
    private static void busEcho(final String uri) throws Exception {
        try (Bus bus = Bus.open(BusConfig.builder().uri(uri).build())) {
            bus.subscribeRaw("bench.ping", (payload, context) -> bus.publishRaw("bench.pong", payload));
            bus.subscribeRaw("bench.probe", (payload, context) -> bus.publishRaw("bench.probe.ok", payload));
            System.out.println("READY");
            System.out.flush();
            awaitEndOfInput();
        }
    }
}
