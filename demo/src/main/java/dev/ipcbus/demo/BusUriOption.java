// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import picocli.CommandLine.Option;

/**
 * The {@code --transport URI} option every command shares (a picocli mixin).
 */
public final class BusUriOption {
    @Option(names = {"-t", "--transport"}, paramLabel = "URI",
        description = "Bus URI, e.g. filemap://shop, pipe://shop?publishTimeout=2s, mailslot://shop. Default: "
            + "-Dipcbus.uri, else $IPCBUS_URI, else ipcbus.properties, else " + BusConfig.DEFAULT_URI + ".")
    String uri;

    @Option(names = "--ready", hidden = true,
        description = "Print 'READY <node id>' on standard output once the node is set up (for a parent process).")
    boolean ready;

    /**
     * @return the configuration for the chosen URI.
     */
    BusConfig config() {
        return config("ipcbus-demo");
    }

    /**
     * @param nodeName the name other nodes see in {@code stat}.
     * @return the configuration for the chosen URI.
     */
    BusConfig config(final String nodeName) {
        return BusConfig.builder().uri(uri, "option --transport").nodeName(nodeName).build();
    }

    /**
     * @return the URI text the demo uses (for child processes).
     */
    String resolvedUri() {
        return config().uri().toString();
    }

    /**
     * @param nodeName the name other nodes see in {@code stat}.
     * @return a node on the chosen bus, closed by a shutdown hook too.
     */
    Bus open(final String nodeName) {
        return openClosingOnExit(config(nodeName));
    }

    /**
     * Opens a node that a shutdown hook closes too, so Ctrl-C or SIGTERM in any command leaves nothing behind (its
     * registry entry, inbox, shared memory). Every command opens its nodes here.
     *
     * @param config the node's configuration.
     * @return the open node.
     */
    static Bus openClosingOnExit(final BusConfig config) {
        final Bus bus = Bus.open(config);
        Runtime.getRuntime().addShutdownHook(new Thread(bus::close, "ipcbus-demo-close-" + bus.nodeId()));
        return bus;
    }

    /** Prints {@code READY <node ids>} if {@code --ready} was given. */
    void ready(final String... nodeIds) {
        Output.ready(ready, nodeIds);
    }
}
