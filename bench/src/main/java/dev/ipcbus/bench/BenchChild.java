// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import dev.ipcbus.Bus;
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
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The other process of each benchmark. Started by {@link IpcBench} as
 * {@code java -cp ipcbus-bench.jar dev.ipcbus.bench.BenchChild <mode> <args>}; prints {@code READY} when set up,
 * answers {@code count} on stdin with {@code COUNT <n>}, and exits on {@code stop} or end of input.
 * <ul>
 *   <li>{@code bus-echo-raw <uri>}: echoes raw {@code bench.ping} payloads to {@code bench.pong}.</li>
 *   <li>{@code bus-echo-json <uri>}: echoes {@link Ping} objects from {@code bench.ping} to {@code bench.pong}.</li>
 *   <li>{@code bus-sink <uri>}: counts raw {@code bench.data} messages.</li>
 *   <li>{@code spi-echo <runtimeDir> <bus> <idle> <peerNodeHex> <peerAddress>}: transport SPI only (no bus
 *   core): opens a filemap inbox, prints {@code ADDRESS <nodeHex> <address>}, echoes every frame to the peer.</li>
 *   <li>{@code spi-sink <runtimeDir> <bus> <idle>}: transport SPI only: counts the frames its inbox receives.</li>
 *   <li>{@code aeron-echo <dir> <spin|backoff>}: echoes stream 10 to stream 11 on {@code aeron:ipc}.</li>
 *   <li>{@code aeron-sink <dir>}: counts fragments of stream 12.</li>
 * </ul>
 * Reads no {@code -D} property.
 */
public final class BenchChild {
    private static final AtomicLong COUNT = new AtomicLong();
    private static volatile boolean running = true;

    private BenchChild() {
    }

    /**
     * @param args mode and arguments, see the class doc.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final Thread control = new Thread(BenchChild::control, "control");
        control.setDaemon(true);
        switch (args[0]) {
            case "bus-echo-raw":
            case "bus-echo-json":
            case "bus-sink":
                runBus(args[0], args[1], control);
                break;
            case "spi-echo":
            case "spi-sink":
                runSpi(args, control);
                break;
            case "aeron-echo":
            case "aeron-sink":
                runAeron(args[0], args[1], args.length > 2 ? args[2] : "spin", control);
                break;
            default:
                throw new IllegalArgumentException("mode=" + args[0]);
        }
        System.exit(0);
    }

    private static void control() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("count")) {
                    System.out.println("COUNT " + COUNT.get());
                    System.out.flush();
                } else if (line.equals("stop")) {
                    break;
                }
            }
        } catch (final Exception ignored) {
            // Parent gone.
        }
        running = false;
    }

    private static void runBus(final String mode, final String uri, final Thread control) throws Exception {
        try (Bus bus = Bus.open(uri)) {
            switch (mode) {
                case "bus-echo-raw":
                    bus.subscribeRaw("bench.ping", (payload, context) -> bus.publishRaw("bench.pong", payload));
                    break;
                case "bus-echo-json":
                    bus.subscribe("bench.ping", Ping.class, (ping, context) -> bus.publish("bench.pong", ping));
                    break;
                default:
                    bus.subscribeRaw("bench.data", (payload, context) -> COUNT.lazySet(COUNT.get() + 1));
                    break;
            }
            System.out.println("READY");
            System.out.flush();
            control.start();
            control.join();
        }
    }

    private static void runSpi(final String[] args, final Thread control) throws Exception {
        final TransportContext context = new TransportContext(args[2], new TransportOptions(Map.of("idle", args[3])),
            Paths.get(args[1]), node -> true, error -> System.err.println("child: " + error));
        try (Transport transport = new FilemapTransportProvider().create(context)) {
            final long node = NodeIds.next();
            final Inbox inbox;
            if (args[0].equals("spi-echo")) {
                final Outlet back = transport.openOutlet(NodeIds.parse(args[4]), args[5]);
                inbox = transport.openInbox(node, frame -> back.offer(frame, TimeUnit.SECONDS.toNanos(10)));
            } else {
                inbox = transport.openInbox(node, frame -> COUNT.lazySet(COUNT.get() + 1));
            }
            System.out.println("ADDRESS " + NodeIds.format(node) + " " + inbox.address());
            System.out.println("READY");
            System.out.flush();
            control.start();
            control.join();
        }
    }

    private static void runAeron(final String mode, final String dir, final String idle, final Thread control)
        throws Exception {
        final IdleStrategy idleStrategy = idle.equals("spin") ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir))) {
            if (mode.equals("aeron-echo")) {
                final Subscription ping = aeron.addSubscription("aeron:ipc", 10);
                final Publication pong = aeron.addPublication("aeron:ipc", 11);
                while (!pong.isConnected() || !ping.isConnected()) {
                    Thread.sleep(1);
                }
                final FragmentHandler echo = (buffer, offset, length, header) -> {
                    while (pong.offer(buffer, offset, length) < 0) {
                        Thread.onSpinWait();
                    }
                };
                System.out.println("READY");
                System.out.flush();
                control.start();
                while (running) {
                    idleStrategy.idle(ping.poll(echo, 16));
                }
            } else {
                final Subscription data = aeron.addSubscription("aeron:ipc", 12);
                final FragmentHandler count = (buffer, offset, length, header) -> COUNT.lazySet(COUNT.get() + 1);
                System.out.println("READY");
                System.out.flush();
                control.start();
                while (running) {
                    idleStrategy.idle(data.poll(count, 256));
                }
            }
        }
    }
}
