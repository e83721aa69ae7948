package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NodeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The live view of a bus: every node (pid, name, subscriptions, responders, alive) with its counters. Once as a table,
 * {@code --json} for scripts, or {@code --watch} refreshed in place like {@code top}.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show the nodes of a bus and their counters (--json for scripts, --watch to refresh).")
final class StatCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Option(names = "--json", description = "Print the nodes once as JSON.")
    boolean json;

    @Option(names = "--watch", description = "Refresh in place until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval-ms", defaultValue = "1000",
        description = "Refresh interval for --watch, >= 100 (default 1000).")
    long intervalMillis;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--interval-ms", intervalMillis, 100);
        final BusConfig base = transport.config();
        try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder().uri(base.uri().toString())
            .nodeName("ipcbus-demo stat").build())) {
            do {
                final List<NodeInfo> nodes = new ArrayList<>();
                for (final NodeInfo node : bus.nodes()) {
                    if (!node.id().equals(bus.nodeId())) {
                        nodes.add(node);
                    }
                }
                if (json) {
                    System.out.println(JsonArgument.print(toJson(bus, nodes)));
                } else {
                    if (watch) {
                        System.out.print("\033[H\033[2J");
                    }
                    printTable(bus, nodes);
                }
                System.out.flush();
                if (System.out.checkError()) {
                    break; // the reader of standard output is gone (e.g. | head)
                }
                if (watch) {
                    Thread.sleep(intervalMillis);
                }
            } while (watch);
        }
        return 0;
    }

    private static Map<String, Object> toJson(final Bus bus, final List<NodeInfo> nodes) {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("uri", bus.uri().toString());
        root.put("time", Instant.now().toString());
        root.put("nodes", nodes);
        return root;
    }

    private static void printTable(final Bus bus, final List<NodeInfo> nodes) {
        System.out.printf("bus %s at %s: %d node(s) besides this one%n", bus.uri(), Instant.now(), nodes.size());
        System.out.printf("%-16s %7s %-20s %-5s %10s %10s %10s %10s %6s %6s  %s%n", "node", "pid", "name", "alive",
            "frames in", "bytes in", "frames out", "bytes out", "bad", "bpress", "subscriptions / responders");
        for (final NodeInfo node : nodes) {
            final Map<String, Long> c = node.counters();
            final List<String> roles = new ArrayList<>(node.subscriptions());
            node.responders().forEach(topic -> roles.add("respond:" + topic));
            System.out.printf(Locale.ROOT, "%-16s %7d %-20s %-5s %10s %10s %10s %10s %6s %6s  %s%n", node.id(),
                node.pid(), abbreviate(node.name(), 20), node.alive() ? "yes" : "DEAD", get(c, "framesReceived"),
                get(c, "bytesReceived"), get(c, "framesSent"), get(c, "bytesSent"), get(c, "malformedFrames"),
                get(c, "backpressureTimeouts"), String.join(" ", roles));
            final Map<String, Long> extra = new LinkedHashMap<>(c);
            List.of("framesReceived", "bytesReceived", "framesSent", "bytesSent", "malformedFrames",
                "backpressureTimeouts").forEach(extra::remove);
            extra.values().removeIf(value -> value == 0);
            if (!extra.isEmpty()) {
                System.out.println("                 " + extra);
            }
        }
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
