// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.registry.RegistryReader;
import dev.ipcbus.registry.RuntimeDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The live view of a bus: every node (pid, name, subscriptions, responders, alive) with its counters. Once as a table,
 * {@code --json} for scripts, or {@code --watch} refreshed in place like {@code top}, with per-second rates.
 * <p>
 * On a local transport it reads the registry and the statistics files without joining the bus: it changes nothing
 * and reclaims nothing, so a dead node stays listed (alive = no) for {@code clean}. On an engine-routed transport
 * ({@code nats://}) it joins the bus as a node to ask the others, as there are no files to read.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show the nodes of a bus and their counters (--json for scripts, --watch to refresh with rates). "
        + "Reads the registry without joining the bus; dead nodes are shown, not removed (see clean).")
final class StatCommand implements Callable<Integer> {
    private static final List<String> COLUMNS = List.of("framesReceived", "bytesReceived", "framesSent", "bytesSent",
        "malformedFrames", "handlerErrors", "backpressureTimeouts", "requestsSent", "requestsTimedOut",
        "repliesSent");

    @Mixin
    BusUriOption transport;

    @Option(names = "--json", description = "Print the nodes as JSON (once, or every --interval-ms with --watch).")
    boolean json;

    @Option(names = "--watch", description = "Refresh until Ctrl-C, with per-second rates.")
    boolean watch;

    @Option(names = "--interval-ms", defaultValue = "1000",
        description = "Refresh interval for --watch, >= 100 (default 1000).")
    long intervalMillis;

    private final Map<String, Map<String, Long>> previous = new HashMap<>();
    private long previousNanos;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--interval-ms", intervalMillis, 100);
        final BusConfig config = transport.config();
        final String uri = config.uri().toString();
        if (!config.uri().servers().isEmpty()) {
            try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder().uri(uri).nodeName("ipcbus-demo stat")
                .build())) {
                return show(uri, () -> withoutSelf(bus.nodes(), bus.nodeId()));
            }
        }
        final RegistryReader registry = new RegistryReader(RuntimeDirectory.busDirectory(
            RuntimeDirectory.base(config.runtimeDirectory()), config.uri().scheme(), config.uri().busName()));
        if (!registry.exists()) {
            System.err.println("ipcbus-demo stat: no node has used " + uri + " here (see 'ipcbus-demo buses')");
        }
        return show(uri, () -> registry.nodes(config.uri().scheme()));
    }

    private int show(final String uri, final Supplier<List<NodeInfo>> source) throws InterruptedException {
        do {
            final List<NodeInfo> nodes = source.get();
            final long now = System.nanoTime();
            final Map<String, double[]> rates = rates(nodes, now);
            final boolean open = json ? Output.line(JsonArgument.print(toJson(uri, nodes)))
                : (!watch || Output.text("\033[H\033[2J")) && Output.text(table(uri, nodes, watch ? rates : null));
            if (!open) {
                break; // the reader of standard output is gone (e.g. | head)
            }
            if (watch) {
                Thread.sleep(intervalMillis);
            }
        } while (watch);
        return 0;
    }

    private static List<NodeInfo> withoutSelf(final List<NodeInfo> nodes, final String self) {
        final List<NodeInfo> others = new ArrayList<>(nodes);
        others.removeIf(node -> node.id().equals(self));
        return others;
    }

    /** Frames in and out per second since the last refresh, by node id; none on the first. */
    private Map<String, double[]> rates(final List<NodeInfo> nodes, final long now) {
        final Map<String, double[]> rates = new HashMap<>();
        final double seconds = (now - previousNanos) / 1e9;
        for (final NodeInfo node : nodes) {
            final Map<String, Long> before = previous.get(node.id());
            if (before != null && seconds > 0) {
                rates.put(node.id(), new double[] {
                    delta(node.counters(), before, "framesReceived") / seconds,
                    delta(node.counters(), before, "framesSent") / seconds});
            }
            previous.put(node.id(), node.counters());
        }
        previousNanos = now;
        return rates;
    }

    private static long delta(final Map<String, Long> now, final Map<String, Long> before, final String counter) {
        return now.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    private static Map<String, Object> toJson(final String uri, final List<NodeInfo> nodes) {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("uri", uri);
        root.put("time", Instant.now().toString());
        root.put("nodes", nodes);
        return root;
    }

    private static String table(final String uri, final List<NodeInfo> nodes, final Map<String, double[]> rates) {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "bus %s at %s: %d node(s)%n", uri, Instant.now(), nodes.size()));
        out.append(String.format(Locale.ROOT, "%-16s %7s %-18s %-5s %10s %10s %10s %10s %5s %6s %6s %7s %7s %7s",
            "node", "pid", "name", "alive", "frames in", "bytes in", "frames out", "bytes out", "bad", "errors",
            "bpress", "req out", "req t/o", "replies"));
        if (rates != null) {
            out.append(String.format(Locale.ROOT, " %9s %9s", "in/s", "out/s"));
        }
        out.append("  subscriptions / responders").append(System.lineSeparator());
        for (final NodeInfo node : nodes) {
            final Map<String, Long> c = node.counters();
            out.append(String.format(Locale.ROOT, "%-16s %7d %-18s %-5s", node.id(), node.pid(),
                abbreviate(node.name(), 18), node.alive() ? "yes" : "DEAD"));
            final int[] widths = {10, 10, 10, 10, 5, 6, 6, 7, 7, 7};
            for (int i = 0; i < COLUMNS.size(); i++) {
                out.append(' ').append(String.format(Locale.ROOT, "%" + widths[i] + "s", get(c, COLUMNS.get(i))));
            }
            if (rates != null) {
                final double[] rate = rates.get(node.id());
                out.append(rate == null ? String.format(Locale.ROOT, " %9s %9s", "-", "-")
                    : String.format(Locale.ROOT, " %9.0f %9.0f", rate[0], rate[1]));
            }
            final List<String> roles = new ArrayList<>(node.subscriptions());
            node.responders().forEach(topic -> roles.add("respond:" + topic));
            out.append("  ").append(String.join(" ", roles)).append(System.lineSeparator());
            final Map<String, Long> extra = new LinkedHashMap<>(c);
            COLUMNS.forEach(extra::remove);
            extra.values().removeIf(value -> value == 0);
            if (!extra.isEmpty()) {
                out.append("                 ").append(extra).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private static String get(final Map<String, Long> counters, final String name) {
        final Long value = counters.get(name);
        return value == null ? "-" : String.format(Locale.ROOT, "%,d", value);
    }

    private static String abbreviate(final String text, final int width) {
        if (text == null) {
            return "";
        }
        return text.length() <= width ? text : text.substring(0, width - 1) + "~";
    }
}
