package dev.ipcbus.testkit;

import dev.ipcbus.Bus;

import java.util.List;

/**
 * The base of the contract's concern classes: each is a {@code @Nested} class of {@link TransportContract} and reaches
 * the transport's hooks and the case's fixture through {@link #contract}.
 * <p>
 * <b>Thread safety:</b> confined to the thread JUnit runs the case on.
 */
abstract class ContractCases {
    /** The contract instance of the transport under test: hooks and fixture. */
    final TransportContract contract;

    ContractCases(final TransportContract contract) {
        this.contract = contract;
    }

    /** @return a node on the case's bus (see {@link TransportContract#open()}). */
    Bus open() {
        return contract.open();
    }

    /**
     * @param args the {@link ChildNode} mode and arguments.
     * @return a child node on the case's bus, once ready (see {@link TransportContract#child}).
     */
    ChildJvm child(final String... args) {
        return contract.child(args);
    }

    /** @return the case's bus URI. */
    String uri() {
        return contract.uri(contract.busName());
    }

    /** @return the errors the nodes reported so far, taken (see {@link TransportContract#takeBackgroundErrors()}). */
    List<Throwable> takeBackgroundErrors() {
        return contract.takeBackgroundErrors();
    }

    /**
     * @param observer the node that looks.
     * @param node     the node whose counter is read.
     * @param name     the counter, e.g. {@code framesSent}.
     * @return the counter's value as {@code observer} sees it in the node listing (published every 100 ms).
     */
    static long counter(final Bus observer, final Bus node, final String name) {
        return observer.nodes().stream().filter(info -> info.id().equals(node.nodeId())).findFirst().orElseThrow()
            .counters().get(name);
    }

    /** A message type for the Jackson path. */
    record Order(String id, int quantity, List<String> items) {
    }
}
