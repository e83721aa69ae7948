// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.NodeInfo;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * What an {@link EngineTransportProvider} is given to connect one node: the bus name, the servers and options of the
 * URI, the node's identity and a view of the node for introspection.
 * <p>
 * <b>Thread safety:</b> immutable, apart from {@link #options()} which is read only while the transport is created.
 */
public final class EngineContext {
    private final String busName;
    private final String servers;
    private final TransportOptions options;
    private final String nodeId;
    private final String nodeName;
    private final ErrorHandler errorHandler;
    private final Supplier<NodeInfo> self;

    /**
     * @param busName      the bus name from the URI, validated ({@code [A-Za-z0-9_.-]}, 1 to 64 characters).
     * @param servers      the URI's servers part as written, possibly empty.
     * @param options      the URI's options.
     * @param nodeId       this node's id, 16 hex digits.
     * @param nodeName     this node's human-readable name.
     * @param errorHandler where failures on transport threads go (losses, slow consumers, disconnections).
     * @param self         this node as {@code Bus.nodes()} shows it (subscriptions, responders, counters); cheap to
     *                     call from any thread.
     */
    public EngineContext(
        final String busName,
        final String servers,
        final TransportOptions options,
        final String nodeId,
        final String nodeName,
        final ErrorHandler errorHandler,
        final Supplier<NodeInfo> self) {
        this.busName = Objects.requireNonNull(busName, "busName");
        this.servers = Objects.requireNonNull(servers, "servers");
        this.options = Objects.requireNonNull(options, "options");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        this.self = Objects.requireNonNull(self, "self");
    }

    /**
     * @return the bus name.
     */
    public String busName() {
        return busName;
    }

    /**
     * @return the servers part of the URI as written (e.g. {@code "h1:4222,h2:4222"}), or {@code ""}.
     */
    public String servers() {
        return servers;
    }

    /**
     * @return the URI's options; read the ones this transport accepts.
     */
    public TransportOptions options() {
        return options;
    }

    /**
     * @return this node's id, 16 hex digits.
     */
    public String nodeId() {
        return nodeId;
    }

    /**
     * @return this node's human-readable name.
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * @return where failures on transport threads go.
     */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    /**
     * @return this node as {@code Bus.nodes()} shows it, for the engine's introspection service.
     */
    public NodeInfo self() {
        return self.get();
    }
}
