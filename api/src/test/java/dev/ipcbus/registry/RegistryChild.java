package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;

import java.nio.file.Paths;
import java.util.List;

/**
 * A child JVM that registers one node in a registry directory and waits: {@code RegistryChild <dir>}.
 */
public final class RegistryChild {
    private RegistryChild() {
    }

    /**
     * @param args the registry directory.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final FileNodeRegistry registry = new FileNodeRegistry(Paths.get(args[0]), (id, record) -> { },
            Throwable::printStackTrace);
        final long id = NodeIds.next();
        registry.register(new NodeRecord(NodeIds.format(id), ProcessHandle.current().pid(), "test", "addr-" + id,
            "child", System.currentTimeMillis(), List.of("a.>"), List.of()));
        System.out.println("READY " + NodeIds.format(id));
        System.out.flush();
        System.in.read(); // until the parent closes stdin or kills us
        registry.deregister(id);
    }
}
