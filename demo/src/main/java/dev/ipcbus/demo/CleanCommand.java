// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.registry.RegistryReader;
import dev.ipcbus.registry.RuntimeDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Reclaims the resources of dead nodes (registry entries, shared memory, socket files) and says what it removed. A
 * node is dead when its process no longer holds its registry lock, so a live or paused node is never touched; a node
 * killed while starting, before it was listed, is found by its lock file. Then every bus directory of the user that
 * no node has used for a while (nothing in it but its change counter) is removed.
 */
@Command(name = "clean", mixinStandardHelpOptions = true,
    description = "Reclaim what dead nodes left behind (registry entries, shared memory, socket files) and remove "
        + "bus directories no node uses.")
final class CleanCommand implements Callable<Integer> {
    /** How long a bus directory without nodes is left alone (a starting node holds its lock within milliseconds). */
    private static final Duration ABANDONED_AFTER = Duration.ofSeconds(10);

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
        if (base.uri().servers().isEmpty()) {
            removeAbandonedBuses(RuntimeDirectory.base(base.runtimeDirectory()));
        }
        return 0;
    }

    /** Every bus directory of the user that holds nothing but an old change counter goes. */
    private static void removeAbandonedBuses(final Path runtimeDirectory) {
        int buses = 0;
        for (final Path directory : RegistryReader.busDirectories(runtimeDirectory)) {
            try {
                if (RuntimeDirectory.removeAbandonedBus(directory, ABANDONED_AFTER)) {
                    buses++;
                }
            } catch (final IOException ex) {
                System.err.println("ipcbus-demo clean: cannot remove " + directory + ": " + ex);
            }
        }
        System.out.println("removed " + buses + " empty bus director" + (buses == 1 ? "y" : "ies") + " under "
            + runtimeDirectory);
    }
}
