// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.BusUri;
import dev.ipcbus.CodecException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.codec.JsonCodec;
import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.FileNodeRegistry;
import dev.ipcbus.registry.InMemoryNodeRegistry;
import dev.ipcbus.registry.NodeRecord;
import dev.ipcbus.registry.NodeRegistry;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.spi.TransportProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The OS-level parts of one node, opened in the order that keeps a crash at any instant reclaimable: the registry,
 * the transport, the node's lock ({@link NodeRegistry#claim}), its inbox, its registry record, its counters. An open
 * that fails half-way undoes what it did, lock last. {@link #close} undoes a complete open in the same order.
 * <p>
 * Also answers the registry when it reclaims a dead node: the transport releases the node's resources, then the
 * node's parts registered with {@link #onDeath} drop what they kept for it.
 * <p>
 * <b>Thread safety:</b> immutable once opened, but for {@link #onDeath}; safe for concurrent use.
 */
final class NodeAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAssembly.class);

    private final BusUri uri;
    private final long nodeId;
    private final String nodeHex;
    private final ErrorHandler errorHandler;
    private final NodeRegistry registry;
    private final Transport transport;
    private final Inbox inbox;
    private final NodeRecord baseRecord;
    private final CounterFile counters;
    private final TrafficCounters traffic;
    /** The node's parts to tell of a reclaimed node, once they exist. */
    private volatile NodeRegistry.ReclaimListener onDeath;

    /**
     * Opens a node's parts.
     *
     * @param config   the configuration.
     * @param provider the transport's provider.
     * @param nodeId   the node's id, {@link NodeIds#next()}.
     * @param options  the URI's options; the core's must be read already, the transport's are read here.
     * @param listener receives the frames of the inbox, from before this constructor returns.
     * @throws dev.ipcbus.ConfigurationException if an option is unknown or invalid; nothing is left behind.
     * @throws BusException                      if a part cannot be opened; nothing is left behind.
     */
    NodeAssembly(final BusConfig config, final TransportProvider provider, final long nodeId,
        final TransportOptions options, final FrameListener listener) {
        this.uri = config.uri();
        this.nodeId = nodeId;
        this.nodeHex = NodeIds.format(nodeId);
        this.errorHandler = errorHandler(config);
        final Path busDirectory;
        if (provider.isProcessLocal()) {
            busDirectory = RuntimeDirectory.busDirectory(RuntimeDirectory.base(config.runtimeDirectory()),
                uri.scheme(), uri.busName());
            this.registry = new InMemoryNodeRegistry(uri.scheme() + "/" + uri.busName());
        } else {
            final Path base = RuntimeDirectory.ensurePrivate(RuntimeDirectory.base(config.runtimeDirectory()));
            busDirectory = RuntimeDirectory.ensurePrivate(
                RuntimeDirectory.ensurePrivate(base.resolve(uri.scheme())).resolve(uri.busName()));
            this.registry = new FileNodeRegistry(busDirectory, this::onReclaim, errorHandler);
        }
        final TransportContext context = new TransportContext(
            uri.busName(), options, busDirectory, registry, errorHandler, registry::counters);
        Transport created = null;
        Inbox opened = null;
        boolean claimed = false;
        try {
            created = provider.create(context);
            options.checkAllRead(uri.scheme());
            this.transport = created;
            // The lock first: everything created after it is named after the node id, so a process killed at any
            // point from here on leaves only what a checker can reclaim from the lock file alone (issue 13).
            registry.claim(nodeId);
            claimed = true;
            StartupStages.reached(StartupStages.LOCKED, nodeHex);
            opened = created.openInbox(nodeId, listener);
            this.inbox = opened;
            StartupStages.reached(StartupStages.INBOX, nodeHex);
            this.baseRecord = new NodeRecord(nodeHex, ProcessHandle.current().pid(), uri.scheme(), opened.address(),
                nodeName(config), System.currentTimeMillis(), List.of(), List.of(), opened.maxFrameLength());
            registry.register(baseRecord);
            StartupStages.reached(StartupStages.REGISTERED, nodeHex);
            this.counters = registry.counters(nodeId);
            this.traffic = new TrafficCounters(counters);
        } catch (final RuntimeException ex) {
            releaseFailedOpen(created, opened, claimed, ex);
            throw ex;
        }
    }

    /**
     * Undoes a failed open: the inbox and transport are closed, whatever the transport created for this node is
     * reclaimed by its id (an inbox that failed half-way has no address), then the registry entry goes, lock last.
     */
    private void releaseFailedOpen(
        final Transport created, final Inbox opened, final boolean claimed, final RuntimeException failure) {
        if (claimed) {
            try {
                registry.unlist(nodeId);
            } catch (final RuntimeException ex) {
                failure.addSuppressed(ex);
            }
        }
        if (opened != null) {
            closeQuietly(opened, failure);
        }
        if (created != null) {
            if (claimed) {
                try {
                    created.reclaim(nodeId, null);
                } catch (final RuntimeException ex) {
                    failure.addSuppressed(ex);
                }
            }
            closeQuietly(created, failure);
        }
        if (claimed) {
            try {
                registry.deregister(nodeId);
            } catch (final RuntimeException ex) {
                failure.addSuppressed(ex);
            }
        }
        registry.close();
    }

    /** Registry callback: a dead node is being reclaimed (by this process, holding its lock). */
    private void onReclaim(final long deadNode, final NodeRecord record) {
        if (transport != null && (record == null || uri.scheme().equals(record.transport()))) {
            // No record: the node died before it was listed; the transport finds its resources by the id.
            transport.reclaim(deadNode, record == null ? null : record.address());
        }
        final NodeRegistry.ReclaimListener parts = onDeath;
        if (parts != null) {
            parts.onReclaim(deadNode, record);
        }
    }

    /**
     * @param listener told of every node reclaimed from now on, after the transport released its resources.
     */
    void onDeath(final NodeRegistry.ReclaimListener listener) {
        onDeath = listener;
    }

    /**
     * Takes this node off the registry's listing, first in a close: others stop routing here, and its lock stays
     * until its inbox is gone.
     *
     * @return the failure, or {@code null}.
     */
    RuntimeException unlist() {
        try {
            registry.unlist(nodeId);
            return null;
        } catch (final RuntimeException ex) {
            return ex;
        }
    }

    /**
     * Closes the inbox and the transport.
     *
     * @param failure the close's failure so far, or {@code null}.
     * @return {@code failure}, or the first failure, with later ones suppressed.
     */
    RuntimeException closeInbox(final RuntimeException failure) {
        return closeQuietly(transport, closeQuietly(inbox, failure));
    }

    /**
     * Removes this node's registry entry, lock last, and closes the registry: last in a close.
     *
     * @param failure the close's failure so far, or {@code null}.
     * @return {@code failure}, or the first failure, with later ones suppressed.
     */
    RuntimeException deregister(final RuntimeException failure) {
        RuntimeException result = failure;
        try {
            registry.deregister(nodeId);
        } catch (final RuntimeException ex) {
            if (result == null) {
                result = ex;
            } else {
                result.addSuppressed(ex);
            }
        }
        registry.close();
        return result;
    }

    /**
     * Closes {@code closeable}, collecting a failure.
     *
     * @param closeable what to close.
     * @param failure   the failure so far, or {@code null}.
     * @return {@code failure} with this one suppressed, or this one (a {@link BusException} if it was checked).
     */
    static RuntimeException closeQuietly(final AutoCloseable closeable, final RuntimeException failure) {
        try {
            closeable.close();
            return failure;
        } catch (final Exception ex) {
            if (failure == null) {
                return ex instanceof RuntimeException ? (RuntimeException)ex : new BusException(ex.toString(), ex);
            }
            failure.addSuppressed(ex);
            return failure;
        }
    }

    /** @return a codec with the configured object mapper, or the default one. */
    static JsonCodec codec(final BusConfig config) {
        return new JsonCodec(config.objectMapper() != null ? config.objectMapper() : JsonCodec.defaultMapper());
    }

    /** @return the configured node name, or the main class's simple name. */
    static String nodeName(final BusConfig config) {
        return config.nodeName() != null ? config.nodeName() : defaultNodeName();
    }

    /** @return the configured error handler, or one that logs at WARN. */
    static ErrorHandler errorHandler(final BusConfig config) {
        return config.errorHandler() != null ? config.errorHandler() : NodeAssembly::logError;
    }

    private static String defaultNodeName() {
        final String command = System.getProperty("sun.java.command", "");
        final String main = command.isBlank() ? "java" : command.split(" ")[0];
        final int slash = Math.max(main.lastIndexOf('/'), main.lastIndexOf('.'));
        return slash >= 0 && slash < main.length() - 1 && !main.endsWith(".jar") ? main.substring(slash + 1) : main;
    }

    /** Bad input (a malformed frame, a payload that does not decode) is one line; anything else has its stack. */
    private static void logError(final Throwable error) {
        final boolean badInput = error instanceof FrameFormatException || error instanceof CodecException;
        LOG.warn("ipcbus: {}", error.getMessage(), badInput ? null : error);
    }

    BusUri uri() {
        return uri;
    }

    long nodeId() {
        return nodeId;
    }

    String nodeHex() {
        return nodeHex;
    }

    ErrorHandler errorHandler() {
        return errorHandler;
    }

    NodeRegistry registry() {
        return registry;
    }

    Transport transport() {
        return transport;
    }

    /** @return this node's record without subscriptions or responders. */
    NodeRecord baseRecord() {
        return baseRecord;
    }

    CounterFile counters() {
        return counters;
    }

    TrafficCounters traffic() {
        return traffic;
    }
}
