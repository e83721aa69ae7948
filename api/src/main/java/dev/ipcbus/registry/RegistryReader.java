// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusException;
import dev.ipcbus.NodeInfo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a bus's registry directory without joining the bus and without changing anything: the node files, each
 * node's liveness (its lock, tried and released at once; a dead node is reported, never reclaimed) and a live node's
 * statistics file. What {@code ipcbus-demo stat} shows; reclaiming the dead is {@code clean}'s job (or any node's).
 * <p>
 * <b>Thread safety:</b> stateless apart from the directory; safe for concurrent use.
 */
public final class RegistryReader {
    private final Path directory;

    /**
     * @param directory the bus's registry directory ({@link RuntimeDirectory#busDirectory}); need not exist.
     */
    public RegistryReader(final Path directory) {
        this.directory = directory;
    }

    /**
     * @return whether the bus directory exists (some node of the bus ran since the last {@code clean}).
     */
    public boolean exists() {
        return Files.exists(directory.resolve(NodeFiles.VERSION_FILE));
    }

    /**
     * @param scheme the bus's transport scheme, for {@link NodeInfo#transport()} of unreadable leftovers.
     * @return the listed nodes with their liveness and, for live ones, their counters; an empty list if the
     * directory does not exist. Unreadable node files are skipped.
     * @throws BusException if the directory cannot be listed.
     */
    public List<NodeInfo> nodes(final String scheme) {
        final List<NodeInfo> nodes = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return nodes;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + NodeFiles.NODE_SUFFIX)) {
            for (final Path file : stream) {
                final NodeRecord record;
                try {
                    record = NodeFiles.readNodeFile(file);
                } catch (final IOException | RuntimeException unreadable) {
                    continue; // removed meanwhile, half-written by a crashed node, or foreign: clean reports it
                }
                final boolean alive = isAlive(record.id());
                nodes.add(new NodeInfo(record.id(), record.pid(), record.name(),
                    record.transport() == null ? scheme : record.transport(), record.address(),
                    record.startedMillis(), record.subscriptions(), record.responders(), alive,
                    alive ? counters(record.id()) : Map.of()));
            }
        } catch (final IOException ex) {
            throw new BusException("cannot list registry: path=" + directory + ", error=" + ex, ex);
        }
        return nodes;
    }

    /** Alive unless its lock can be taken (then released at once: nothing is reclaimed here). */
    private boolean isAlive(final String id) {
        final Path lockPath = directory.resolve(id + NodeFiles.LOCK_SUFFIX);
        if (NodeLockTable.isOwned(lockPath)) {
            return true; // a node of this JVM
        }
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
            final FileLock lock = NodeFiles.lockOfDeadOwner(channel, lockPath);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (final NoSuchFileException ex) {
            return false; // no lock file: never claimed or half reclaimed
        } catch (final IOException ex) {
            return true; // cannot tell: do not call it dead
        }
    }

    private Map<String, Long> counters(final String id) {
        try {
            final Path file = directory.resolve(id + NodeFiles.STATS_SUFFIX);
            return NodeCounters.snapshot(CounterFile.openExisting(file, NodeCounters.MAGIC, NodeCounters.LAYOUT,
                NodeCounters.COUNT));
        } catch (final BusException ex) {
            return Map.of(); // not created yet, or already removed
        }
    }

    /**
     * @param base a runtime directory ({@link RuntimeDirectory#base}).
     * @return the registry directories under it, {@code <base>/<scheme>/<bus>}, of every bus that has one, sorted.
     * @throws BusException if the runtime directory cannot be listed.
     */
    public static List<Path> busDirectories(final Path base) {
        final List<Path> buses = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return buses;
        }
        try (DirectoryStream<Path> schemes = Files.newDirectoryStream(base, Files::isDirectory)) {
            for (final Path scheme : schemes) {
                try (DirectoryStream<Path> dirs = Files.newDirectoryStream(scheme, Files::isDirectory)) {
                    for (final Path bus : dirs) {
                        if (Files.exists(bus.resolve(NodeFiles.VERSION_FILE))) {
                            buses.add(bus);
                        }
                    }
                }
            }
        } catch (final IOException ex) {
            throw new BusException("cannot list runtime directory: path=" + base + ", error=" + ex, ex);
        }
        buses.sort(null);
        return buses;
    }
}
