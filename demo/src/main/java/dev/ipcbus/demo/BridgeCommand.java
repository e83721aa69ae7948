// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.bridge.BusBridge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Joins a local bus to a remote one: {@code ipcbus-demo bridge --local filemap://shop --remote
 * nats://10.0.0.1:4222/shop --export 'orders.>' --import 'stock.>' --export-requests price.quote}. Runs until Ctrl-C
 * (or {@code --timeout}); prints its counters every {@code --report-ms} (and {@code READY} first with {@code --ready}).
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
    description = "Forward the configured topics and request topics between a local bus and a remote one (e.g. "
        + "nats://), without loops; a local responder is preferred to a remote one.")
final class BridgeCommand implements Callable<Integer> {
    @Option(names = "--local", required = true, paramLabel = "URI", description = "The local bus, e.g. filemap://shop.")
    String localUri;

    @Option(names = "--remote", required = true, paramLabel = "URI",
        description = "The remote bus, e.g. nats://10.0.0.1:4222/shop.")
    String remoteUri;

    @Option(names = "--export", paramLabel = "PATTERN", description = "Local publishes to forward to the remote bus.")
    List<String> exports = new ArrayList<>();

    @Option(names = "--import", paramLabel = "PATTERN", description = "Remote publishes to forward to the local bus.")
    List<String> imports = new ArrayList<>();

    @Option(names = "--export-requests", paramLabel = "TOPIC",
        description = "Request topics the remote bus may ask the local responders.")
    List<String> exportRequests = new ArrayList<>();

    @Option(names = "--import-requests", paramLabel = "TOPIC",
        description = "Request topics the local bus may ask the remote responders (while it has none of its own).")
    List<String> importRequests = new ArrayList<>();

    @Option(names = "--report-ms", defaultValue = "0",
        description = "Print the counters every this many milliseconds, 0 = never, else >= 100.")
    long reportMillis;

    @Option(names = "--timeout", defaultValue = "0", description = "Exit after this many seconds, >= 0; 0 = never.")
    long timeoutSeconds;

    @Option(names = "--ready", hidden = true, description = "Print 'READY <local node> <remote node>' once forwarding.")
    boolean ready;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--timeout", timeoutSeconds, 0);
        if (reportMillis != 0) {
            Arguments.atLeast("--report-ms", reportMillis, 100);
        }
        try (Bus local = Bus.open(BusConfig.builder().uri(localUri).nodeName("ipcbus-demo bridge").build());
             Bus remote = Bus.open(BusConfig.builder().uri(remoteUri).nodeName("ipcbus-demo bridge").build());
             BusBridge bridge = BusBridge.builder(local, remote)
                 .exportTopics(exports.toArray(new String[0])).importTopics(imports.toArray(new String[0]))
                 .exportRequests(exportRequests.toArray(new String[0]))
                 .importRequests(importRequests.toArray(new String[0]))
                 .errorHandler(error -> System.err.println("bridge: " + error.getMessage())).start()) {
            final CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                bridge.close();
                remote.close();
                local.close();
            }, "ipcbus-demo-bridge-close"));
            System.err.println("bridging " + local.uri() + " (node " + local.nodeId() + ") <-> " + remote.uri()
                + " (node " + remote.nodeId() + ")");
            Output.ready(ready, local.nodeId(), remote.nodeId());
            final long end = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds)
                : Long.MAX_VALUE;
            while (true) {
                final long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                final long waitMillis = reportMillis > 0 ? reportMillis : TimeUnit.NANOSECONDS.toMillis(left);
                if (stop.await(Math.min(waitMillis, TimeUnit.NANOSECONDS.toMillis(left) + 1), TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (reportMillis > 0 && !Output.line("COUNTERS " + bridge.counters())) {
                    break; // nobody reads the counters any more
                }
            }
            return 0;
        }
    }
}
