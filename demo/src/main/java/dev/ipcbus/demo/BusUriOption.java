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
        return BusConfig.builder().uri(uri).nodeName(nodeName).build();
    }

    /**
     * @return the URI text the demo uses (for child processes).
     */
    String resolvedUri() {
        return config().uri().toString();
    }

    /**
     * @return a node on the chosen bus, closed by a shutdown hook too (so Ctrl-C leaves nothing behind).
     */
    Bus open() {
        return open("ipcbus-demo");
    }

    /**
     * @param nodeName the name other nodes see in {@code stat}.
     * @return a node on the chosen bus, closed by a shutdown hook too.
     */
    Bus open(final String nodeName) {
        final Bus bus = Bus.open(config(nodeName));
        Runtime.getRuntime().addShutdownHook(new Thread(bus::close, "ipcbus-demo-close"));
        return bus;
    }
}
