// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * A child JVM for registry tests, in a registry directory:
 * <ul>
 *   <li>{@code RegistryChild <dir>} registers one node, prints {@code READY <id>} and waits;</li>
 *   <li>{@code RegistryChild <dir> claim} claims one node (lock and statistics, no record: a node that is starting),
 *   prints {@code CLAIMED <id>} and waits;</li>
 *   <li>{@code RegistryChild <dir> churn <n>} claims and deregisters {@code n} nodes one after the other, checks
 *   after each claim that the node's lock file is in place, and prints {@code CHECKED ok} (or
 *   {@code CHECKED missing=<count>}) and waits.</li>
 * </ul>
 * It exits when its standard input closes.
 */
public final class RegistryChild {
    private RegistryChild() {
    }

    /**
     * @param args the registry directory, optionally {@code claim} or {@code churn <n>}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final Path dir = Paths.get(args[0]);
        final FileNodeRegistry registry = new FileNodeRegistry(dir, (id, record) -> { }, Throwable::printStackTrace);
        final String mode = args.length > 1 ? args[1] : "register";
        final long id = NodeIds.next();
        switch (mode) {
            case "claim":
                registry.claim(id);
                System.out.println("CLAIMED " + NodeIds.format(id));
                break;
            case "churn":
                int missing = 0;
                for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                    final long churned = NodeIds.next();
                    registry.claim(churned);
                    if (!Files.exists(dir.resolve(NodeIds.format(churned) + ".lock"))) {
                        missing++;
                    }
                    registry.deregister(churned);
                }
                System.out.println(missing == 0 ? "CHECKED ok" : "CHECKED missing=" + missing);
                break;
            default:
                registry.register(new NodeRecord(NodeIds.format(id), ProcessHandle.current().pid(), "test",
                    "addr-" + id, "child", System.currentTimeMillis(), List.of("a.>"), List.of()));
                System.out.println("READY " + NodeIds.format(id));
                break;
        }
        System.out.flush();
        System.in.read(); // until the parent closes stdin or kills us
        registry.deregister(id);
    }
}
