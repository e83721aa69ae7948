// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.NodeInfo;
import dev.ipcbus.registry.RegistryReader;
import dev.ipcbus.registry.RuntimeDirectory;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Lists the buses of the current user in the runtime directory, with their live and dead nodes, without joining any:
 * {@code ipcbus-demo buses}.
 */
@Command(name = "buses", mixinStandardHelpOptions = true,
    description = "List the local buses of this user (runtime directory) with their live and dead nodes.")
final class BusesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        final Path base = RuntimeDirectory.base(null);
        final List<Path> buses = RegistryReader.busDirectories(base);
        for (final Path directory : buses) {
            final String scheme = directory.getParent().getFileName().toString();
            final List<NodeInfo> nodes = new RegistryReader(directory).nodes(scheme);
            final long alive = nodes.stream().filter(NodeInfo::alive).count();
            if (!Output.line(String.format(Locale.ROOT, "%-40s %3d live, %3d dead node(s)", scheme + "://"
                + directory.getFileName(), alive, nodes.size() - alive))) {
                break;
            }
        }
        System.err.println(buses.size() + " bus(es) under " + base + (buses.isEmpty() ? ""
            : "; 'ipcbus-demo stat -t <uri>' shows one, 'ipcbus-demo clean' removes those without nodes"));
        return 0;
    }
}
