// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderGoneException;

import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child node of the chaos test: {@code ChaosNode <uri> <role> <name>} with role {@code publisher},
 * {@code subscriber}, {@code responder} or {@code requester}. It checks its own invariants and prints
 * {@code VIOLATION ...} when one breaks, {@code STAT ...} lines for the driver, and exits when its standard input
 * closes (or is killed with {@code kill -9} by the driver).
 * <ul>
 *   <li>publisher: publishes {@code "<name>:<seq>"} on {@code chaos.data} at a steady rate; a publish slower than
 *   its timeout (plus slack) is a violation.</li>
 *   <li>subscriber: per publisher, after the first message, every message must be the next sequence number (no
 *   loss, no duplicate, no reordering while both are alive).</li>
 *   <li>requester: requests every 20 ms; a timeout is a violation (a dead responder must surface as "responder
 *   gone", not as a timeout).</li>
 * </ul>
 */
public final class ChaosNode {
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

    private ChaosNode() {
    }

    /**
     * @param args {@code <uri> <role> <name>}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final String role = args[1];
        final String name = args[2];
        final AtomicBoolean running = new AtomicBoolean(true);
        try (Bus bus = Bus.open(BusConfig.builder().uri(args[0]).nodeName(name)
            .errorHandler(error -> print("ERROR " + error.getMessage())).build())) {
            final Thread worker;
            switch (role) {
                case "subscriber": {
                    final Map<String, long[]> seen = new HashMap<>(); // publisher -> {last, count}
                    bus.subscribe("chaos.data", String.class, (message, context) -> {
                        final int colon = message.lastIndexOf(':');
                        final String publisher = message.substring(0, colon);
                        final long seq = Long.parseLong(message.substring(colon + 1));
                        final long[] state = seen.computeIfAbsent(publisher, k -> new long[] {seq - 1, 0});
                        if (seq != state[0] + 1) {
                            print("VIOLATION " + name + " from " + publisher + ": expected " + (state[0] + 1)
                                + " got " + seq);
                        }
                        state[0] = seq;
                        state[1]++;
                        if (state[1] % 200 == 0) {
                            print("STAT " + name + " " + publisher + " received=" + state[1]);
                        }
                    });
                    worker = null;
                    break;
                }
                case "responder":
                    bus.respond("chaos.rpc", String.class, (request, context) -> name + ":" + request);
                    worker = null;
                    break;
                case "publisher":
                    worker = new Thread(() -> publish(bus, name, running));
                    break;
                case "requester":
                    worker = new Thread(() -> request(bus, name, running));
                    break;
                default:
                    throw new IllegalArgumentException("role: " + role);
            }
            print("READY " + bus.nodeId());
            if (worker != null) {
                worker.start();
            }
            final InputStream in = System.in;
            while (in.read() >= 0) {
                // until the driver closes stdin
            }
            running.set(false);
            if (worker != null) {
                worker.join(TimeUnit.SECONDS.toMillis(20));
            }
            print("BYE " + name);
        }
    }

    private static void publish(final Bus bus, final String name, final AtomicBoolean running) {
        long seq = 0;
        while (running.get()) {
            final long start = System.nanoTime();
            try {
                bus.publish("chaos.data", name + ":" + seq);
            } catch (final RuntimeException ex) {
                print("VIOLATION " + name + " publish " + seq + " failed: " + ex);
            }
            final long took = System.nanoTime() - start;
            if (took > PUBLISH_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2)) {
                print("VIOLATION " + name + " publish " + seq + " took " + took / 1_000_000 + " ms");
            }
            seq++;
            if (seq % 500 == 0) {
                print("STAT " + name + " sent=" + seq);
            }
            sleep(2); // the publishing rate, not an ordering
        }
        print("STAT " + name + " sent=" + seq);
    }

    private static void request(final Bus bus, final String name, final AtomicBoolean running) {
        long ok = 0;
        long gone = 0;
        long none = 0;
        while (running.get()) {
            final long start = System.nanoTime();
            try {
                bus.request("chaos.rpc", "q", String.class, REQUEST_TIMEOUT).join();
                ok++;
            } catch (final CompletionException ex) {
                if (ex.getCause() instanceof ResponderGoneException) {
                    gone++;
                } else if (ex.getCause() instanceof NoResponderException) {
                    none++;
                } else if (ex.getCause() instanceof RequestTimeoutException) {
                    print("VIOLATION " + name + " request timed out: " + ex.getCause().getMessage());
                } else {
                    print("VIOLATION " + name + " request failed: " + ex.getCause());
                }
            }
            final long took = System.nanoTime() - start;
            if (took > REQUEST_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2)) {
                print("VIOLATION " + name + " request took " + took / 1_000_000 + " ms");
            }
            sleep(20); // the request rate, not an ordering
        }
        print("STAT " + name + " ok=" + ok + " gone=" + gone + " none=" + none);
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static void print(final String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
