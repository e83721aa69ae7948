// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.registry.CounterFile;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * What a {@link TransportProvider} is given to create a {@link Transport}: the bus name, the URI options, the per-user
 * runtime directory and the services the core shares with it.
 * <p>
 * <b>Thread safety:</b> immutable, apart from {@link #options()} which is read only while the transport is created.
 */
public final class TransportContext {
    private final String busName;
    private final TransportOptions options;
    private final Path runtimeDirectory;
    private final NodeLiveness liveness;
    private final ErrorHandler errorHandler;
    private final LongFunction<CounterFile> statistics;

    /**
     * A context whose inbox counters live in process memory (tools and tests).
     *
     * @param busName          the bus name from the URI, validated ({@code [A-Za-z0-9_.-]}, 1 to 64 characters).
     * @param options          the URI's options.
     * @param runtimeDirectory this bus's directory, private to the current user (0700), already created.
     * @param liveness         tells whether a node is alive.
     * @param errorHandler     where failures on transport threads go.
     */
    public TransportContext(
        final String busName,
        final TransportOptions options,
        final Path runtimeDirectory,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler) {
        this(busName, options, runtimeDirectory, liveness, errorHandler, nodeId -> null);
    }

    /**
     * @param busName          the bus name from the URI, validated ({@code [A-Za-z0-9_.-]}, 1 to 64 characters).
     * @param options          the URI's options.
     * @param runtimeDirectory this bus's directory, private to the current user (0700), already created.
     * @param liveness         tells whether a node is alive.
     * @param errorHandler     where failures on transport threads go.
     * @param statistics       a node's statistics file ({@code dev.ipcbus.registry.NodeCounters} layout) by node id,
     *                         existing once the node holds its registry lock; {@code null} for none.
     */
    public TransportContext(
        final String busName,
        final TransportOptions options,
        final Path runtimeDirectory,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler,
        final LongFunction<CounterFile> statistics) {
        this.statistics = Objects.requireNonNull(statistics, "statistics");
        this.busName = Objects.requireNonNull(busName, "busName");
        this.options = Objects.requireNonNull(options, "options");
        this.runtimeDirectory = Objects.requireNonNull(runtimeDirectory, "runtimeDirectory");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
    }

    /**
     * @return the bus name, safe to use in file and object names.
     */
    public String busName() {
        return busName;
    }

    /**
     * @return the URI's options; read the ones this transport accepts.
     */
    public TransportOptions options() {
        return options;
    }

    /**
     * @return this bus's directory under the per-user runtime directory (mode 0700 on POSIX); socket files go here.
     */
    public Path runtimeDirectory() {
        return runtimeDirectory;
    }

    /**
     * @return the registry's view of which nodes are alive.
     */
    public NodeLiveness liveness() {
        return liveness;
    }

    /**
     * @return where failures on transport threads go (malformed input, OS errors while receiving).
     */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    /**
     * The counters an inbox of {@code nodeId} writes, in that node's statistics file; in process memory if the node
     * has none (a process-local registry).
     *
     * @param nodeId the inbox's node.
     * @return its counters.
     */
    public InboxCounters inboxCounters(final long nodeId) {
        final CounterFile file = statistics.apply(nodeId);
        return file == null ? InboxCounters.inMemory() : new InboxCounters(file);
    }
}
