package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NodeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * Reclaims the resources of dead nodes (registry entries, shared memory, socket files) and says what it removed. A
 * node is dead when its process no longer holds its registry lock, so a live or paused node is never touched; a node
 * killed while starting, before it was listed, is found by its lock file.
 */
@Command(name = "clean", mixinStandardHelpOptions = true,
    description = "Reclaim what dead nodes left behind (registry entries, shared memory, socket files).")
final class CleanCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Override
    public Integer call() {
        final BusConfig base = transport.config();
        int removed = 0;
        int alive = 0;
        try (Bus bus = BusUriOption.openClosingOnExit(BusConfig.builder()
            .uri(base.uri().toString()).nodeName("ipcbus-demo clean")
            .build())) {
            for (final NodeInfo node : bus.nodes()) {
                if (node.id().equals(bus.nodeId())) {
                    continue;
                }
                if (node.alive()) {
                    alive++;
                } else {
                    removed++;
                    System.out.println("removed dead node " + node.id() + (node.address() == null
                        ? " (died while starting or closing, unlisted: lock file, statistics, inbox)"
                        : " (pid " + node.pid() + ", " + node.name() + ", inbox " + node.address() + ")"));
                }
            }
            System.out.println(bus.uri() + ": removed " + removed + " dead node(s); " + alive
                + " live node(s) left untouched");
        }
        return 0;
    }
}
