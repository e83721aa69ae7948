// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.NodeIds;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static dev.ipcbus.registry.NodeFiles.JSON;
import static dev.ipcbus.registry.NodeFiles.LOCK_SUFFIX;
import static dev.ipcbus.registry.NodeFiles.NODE_SUFFIX;
import static dev.ipcbus.registry.NodeFiles.STATS_SUFFIX;
import static dev.ipcbus.registry.NodeFiles.VERSION_FILE;
import static dev.ipcbus.registry.NodeFiles.lockOfDeadOwner;
import static dev.ipcbus.registry.NodeFiles.readNodeFile;

/**
 * The registry of one bus kept as files in a private directory, shared by every process of the current user.
 * <pre>
 *   &lt;runtime dir&gt;/&lt;scheme&gt;/&lt;bus&gt;/         0700
 *     registry.version                         mapped change counter (layout below)
 *     &lt;node id&gt;.lock                           held locked by the node's process for its whole life
 *     &lt;node id&gt;.node                           JSON {@link NodeRecord}, replaced atomically (write + rename)
 *     &lt;node id&gt;.stats                          the node's {@link NodeCounters}, a {@link CounterFile}
 * </pre>
 * <b>Liveness.</b> A node is alive while its process holds an OS lock on its {@code .lock} file: an exclusive lock
 * over the whole file ({@link FileChannel#tryLock()}: on POSIX an {@code fcntl} {@code F_SETLK} write lock with
 * {@code l_start = 0, l_len = 0}; on Windows {@code LockFileEx}). The OS drops the lock when the process dies, however
 * it dies, and keeps it through a pause ({@code SIGSTOP}, a long GC), so a pause never looks like a death. To check
 * another node, a process try-locks that file: success means the owner is dead, and the checker now holds the lock
 * while it reclaims the node, so each dead node is reclaimed once. A {@code flock()} lock does not conflict with
 * {@code fcntl} locks on Linux; a foreign node that uses one is not protected by it, except that on Linux a checker
 * that got the lock looks for a {@code FLOCK} entry on the file in {@code /proc/locks} and then leaves the node alone.
 * POSIX drops all of a process's locks on a file when any of its channels on that file closes, so this class never
 * opens the lock file of a node owned by its own JVM (they are known in a JVM-wide table, claimed before the file
 * exists), and checks each foreign lock file from one thread of the JVM at a time.
 * <p>
 * <b>Order.</b> A node takes its lock before anything else of it exists (statistics, transport resources, node file;
 * all named after the node id, so a dead lock file alone is enough to reclaim them), and removes its node file
 * first and its lock file last. So a listed node with a free lock is dead, and so is an unlisted one: a lock file with
 * a free lock is reclaimed whether or not a node file exists ({@link #reclaimUnlisted()}). A node creates its lock
 * file and then locks it; a checker that locks the file in between reclaims it (removes it), and the node, finding
 * its lock file gone once it holds the lock, starts again with a new file. A reclaimer, holding the dead node's lock,
 * removes the node file before it releases the node's resources; so a held lock without a node file means "starting
 * or leaving", and {@link #isAlive} answers {@code false} for it (a writer is never told to retry against a socket
 * being removed).
 * <p>
 * <b>Change counter.</b> {@code registry.version} is a {@link CounterFile} (magic "IBRV", layout 1) with one
 * counter, moved by an atomic add after every registry change; a reader that sees a new value re-reads the
 * directory.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class FileNodeRegistry implements NodeRegistry {
    /** Change counter magic, "IBRV" little-endian. */
    public static final int VERSION_MAGIC = 0x56524249;
    /** Change counter layout version. */
    public static final int VERSION_LAYOUT = 1;

    private static final String TEMP_SUFFIX = NODE_SUFFIX + ".tmp";

    private final Path directory;
    private final ReclaimListener reclaimListener;
    private final ErrorHandler errorHandler;
    private final CounterFile version;
    private final ConcurrentHashMap<Long, CounterFile> ownCounters = new ConcurrentHashMap<>();
    private final Set<String> reportedCorrupt = ConcurrentHashMap.newKeySet();

    /**
     * Opens (creating if needed) the registry in {@code directory}.
     *
     * @param directory       the bus's registry directory; created private to the current user.
     * @param reclaimListener releases the transport resources of a node found dead.
     * @param errorHandler    told about unreadable node files.
     * @throws BusException if the directory or the change counter cannot be created or is not ours.
     */
    public FileNodeRegistry(
        final Path directory, final ReclaimListener reclaimListener, final ErrorHandler errorHandler) {
        this.directory = RuntimeDirectory.ensurePrivate(directory);
        this.reclaimListener = reclaimListener;
        this.errorHandler = errorHandler;
        this.version = CounterFile.openOrCreate(directory.resolve(VERSION_FILE), VERSION_MAGIC, VERSION_LAYOUT, 1);
    }

    /**
     * @return the registry directory.
     */
    public Path directory() {
        return directory;
    }

    @Override
    public void claim(final long nodeId) {
        final String id = NodeIds.format(nodeId);
        NodeLockTable.claim(lockPath(id));
        try {
            ownCounters.put(nodeId, CounterFile.openOrCreate(directory.resolve(id + STATS_SUFFIX), NodeCounters.MAGIC,
                NodeCounters.LAYOUT, NodeCounters.COUNT));
        } catch (final RuntimeException ex) {
            try {
                deregister(nodeId);
            } catch (final RuntimeException suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    @Override
    public void register(final NodeRecord record) {
        claim(NodeIds.parse(record.id()));
        writeRecord(record);
        bump();
    }

    @Override
    public void update(final NodeRecord record) {
        writeRecord(record);
        bump();
    }

    private void writeRecord(final NodeRecord record) {
        final Path target = directory.resolve(record.id() + NODE_SUFFIX);
        final Path temp = directory.resolve(record.id() + TEMP_SUFFIX);
        try {
            final byte[] json = JSON.writeValueAsBytes(record);
            try (FileChannel channel = RuntimeDirectory.openPrivate(temp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(json);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (final AtomicMoveNotSupportedException ex) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (final IOException ex) {
            throw new BusException("cannot write node file: path=" + target + ", error=" + ex, ex);
        }
    }

    @Override
    public void unlist(final long nodeId) {
        final String id = NodeIds.format(nodeId);
        if (!NodeLockTable.isOwned(lockPath(id))) {
            return;
        }
        try {
            final boolean listed = Files.deleteIfExists(directory.resolve(id + NODE_SUFFIX));
            Files.deleteIfExists(directory.resolve(id + TEMP_SUFFIX));
            if (listed) {
                bump();
            }
        } catch (final IOException ex) {
            errorHandler.onError(new BusException("cannot remove node file: node=" + id + ", error=" + ex, ex));
        }
    }

    @Override
    public void deregister(final long nodeId) {
        final String id = NodeIds.format(nodeId);
        final Path lockPath = lockPath(id);
        if (!NodeLockTable.isOwned(lockPath)) {
            return;
        }
        try {
            unlist(nodeId);
            Files.deleteIfExists(directory.resolve(id + STATS_SUFFIX));
            Files.deleteIfExists(lockPath); // last: until here, everything of the node is found from its lock file
        } catch (final IOException ex) {
            errorHandler.onError(new BusException("cannot remove node files: node=" + id + ", error=" + ex, ex));
        } finally {
            ownCounters.remove(nodeId);
            try {
                NodeLockTable.release(lockPath);
            } catch (final IOException ex) {
                errorHandler.onError(ex);
            }
        }
    }

    @Override
    public long version() {
        return version.get(0);
    }

    private void bump() {
        version.add(0, 1L);
    }

    @Override
    public CounterFile counters(final long nodeId) {
        final CounterFile own = ownCounters.get(nodeId);
        if (own != null) {
            return own;
        }
        try {
            return CounterFile.openExisting(directory.resolve(NodeIds.format(nodeId) + STATS_SUFFIX),
                NodeCounters.MAGIC, NodeCounters.LAYOUT, NodeCounters.COUNT);
        } catch (final BusException ex) {
            errorHandler.onError(ex);
            return null;
        }
    }

    @Override
    public List<NodeRecord> nodes() {
        final List<NodeRecord> nodes = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + NODE_SUFFIX)) {
            for (final Path file : stream) {
                final NodeRecord record = readRecord(file);
                if (record != null) {
                    nodes.add(record);
                }
            }
        } catch (final IOException ex) {
            throw new BusException("cannot list registry: path=" + directory + ", error=" + ex, ex);
        }
        return nodes;
    }

    private NodeRecord readRecord(final Path file) {
        final String name = file.getFileName().toString();
        final String id = name.substring(0, name.length() - NODE_SUFFIX.length());
        try {
            return readNodeFile(file);
        } catch (final NoSuchFileException ex) {
            return null; // removed while listing
        } catch (final IOException | RuntimeException ex) {
            if (reportedCorrupt.add(name)) {
                errorHandler.onError(new BusException("unreadable node file skipped: path=" + file
                    + ", error=" + ex.getMessage(), ex));
            }
            try {
                isAlive(NodeIds.parse(id)); // reclaims it if its owner is dead
            } catch (final IllegalArgumentException ignore) {
                // not a node id: leave the foreign file alone
            }
            return null;
        }
    }

    @Override
    public List<Long> reclaimUnlisted() {
        final Set<String> ids = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (final Path file : stream) {
                final String id = leftoverId(file.getFileName().toString());
                if (id != null) {
                    ids.add(id);
                }
            }
        } catch (final IOException ex) {
            throw new BusException("cannot list registry: path=" + directory + ", error=" + ex, ex);
        }
        final List<Long> reclaimed = new ArrayList<>();
        for (final String id : ids) {
            // Listed nodes are checked through their records (nodes(), isAlive); a record written since the listing
            // makes this one listed too.
            if (!Files.exists(directory.resolve(id + NODE_SUFFIX)) && reclaimIfDead(NodeIds.parse(id))) {
                reclaimed.add(NodeIds.parse(id));
            }
        }
        return reclaimed;
    }

    /**
     * @return the node id of a lock, statistics or temporary node or statistics file, or {@code null} for any other
     * file.
     */
    private static String leftoverId(final String name) {
        final String id;
        final int stats = name.indexOf(STATS_SUFFIX + ".");
        if (stats > 0 && name.endsWith(".tmp")) {
            id = name.substring(0, stats); // <id>.stats.<random>.tmp: CounterFile's file before it is linked
        } else if (name.endsWith(LOCK_SUFFIX)) {
            id = name.substring(0, name.length() - LOCK_SUFFIX.length());
        } else if (name.endsWith(STATS_SUFFIX)) {
            id = name.substring(0, name.length() - STATS_SUFFIX.length());
        } else if (name.endsWith(TEMP_SUFFIX)) {
            id = name.substring(0, name.length() - TEMP_SUFFIX.length());
        } else {
            return null;
        }
        try {
            return NodeIds.format(NodeIds.parse(id)).equals(id) ? id : null;
        } catch (final IllegalArgumentException ex) {
            return null; // not named by this registry: leave it alone
        }
    }

    /**
     * Reclaims an unlisted node if its lock is free. A node with statistics or a temporary record but no lock file
     * (its lock file removed by hand, or a reclaim of a closing node in flight) gets one, created and locked here, so
     * that this reclaim too runs under the node's lock.
     */
    private boolean reclaimIfDead(final long nodeId) {
        final String id = NodeIds.format(nodeId);
        final Path lockPath = lockPath(id);
        if (!NodeLockTable.tryEnter(lockPath)) {
            return false;
        }
        try {
            if (NodeLockTable.isOwned(lockPath)) {
                return false;
            }
            FileChannel channel;
            boolean created = false;
            try {
                channel = FileChannel.open(lockPath, StandardOpenOption.WRITE);
            } catch (final NoSuchFileException ex) {
                try {
                    channel = RuntimeDirectory.openPrivate(lockPath, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                    created = true;
                } catch (final FileAlreadyExistsException raced) {
                    return false; // its owner or another checker is on it
                }
            }
            boolean reclaimed = false;
            try (FileChannel checked = channel) {
                if (lockOfDeadOwner(checked, lockPath) == null) {
                    return false; // starting, leaving, or being reclaimed by someone else
                }
                reclaim(nodeId, directory.resolve(id + NODE_SUFFIX), lockPath);
                reclaimed = true;
                return true;
            } finally {
                if (created && !reclaimed) {
                    // Never leave behind a lock file this check made (e.g. its thread was interrupted).
                    Files.deleteIfExists(lockPath);
                }
            }
        } catch (final IOException | OverlappingFileLockException ex) {
            errorHandler.onError(new BusException("cannot check unlisted node: node=" + id + ", error=" + ex, ex));
            return false;
        } finally {
            NodeLockTable.exit(lockPath);
        }
    }

    @Override
    public boolean isAlive(final long nodeId) {
        final String id = NodeIds.format(nodeId);
        final Path lockPath = lockPath(id);
        final Path nodePath = directory.resolve(id + NODE_SUFFIX);
        if (!NodeLockTable.tryEnter(lockPath)) {
            return true; // another thread of this JVM is checking or reclaiming it, or a node of ours is starting
        }
        try {
            if (NodeLockTable.isOwned(lockPath)) {
                return true; // checked after taking the CHECKING mark: a claim in progress holds the mark
            }
            try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
                if (lockOfDeadOwner(channel, lockPath) == null) {
                    // Held: by the live owner, or by another process reclaiming it (which removes the node file
                    // first), or by an owner that is starting or closing (no node file yet, or no longer). Only a
                    // listed node is alive.
                    return Files.exists(nodePath);
                }
                reclaim(nodeId, nodePath, lockPath); // we hold the dead node's lock: reclaim exactly once
                return false;
            }
        } catch (final NoSuchFileException ex) {
            // No lock file: never registered, or deregistered, or a reclaim was interrupted.
            if (Files.exists(nodePath)) {
                reclaim(nodeId, nodePath, lockPath);
            }
            return false;
        } catch (final IOException ex) {
            errorHandler.onError(new BusException("cannot check node liveness: node=" + id + ", error=" + ex, ex));
            return true;
        } finally {
            NodeLockTable.exit(lockPath);
        }
    }

    private void reclaim(final long nodeId, final Path nodePath, final Path lockPath) {
        NodeRecord record = null;
        try {
            record = JSON.readValue(Files.readAllBytes(nodePath), NodeRecord.class);
        } catch (final IOException | RuntimeException ignore) {
            // missing or unreadable: reclaim without it
        }
        try {
            // Unlist first: from here on every checker sees the node as dead, while we hold its lock.
            Files.deleteIfExists(nodePath);
            Files.deleteIfExists(directory.resolve(NodeIds.format(nodeId) + TEMP_SUFFIX));
            bump();
        } catch (final IOException ex) {
            errorHandler.onError(new BusException("cannot remove dead node's files: node="
                + NodeIds.format(nodeId) + ", error=" + ex, ex));
        }
        try {
            reclaimListener.onReclaim(nodeId, record);
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
        try {
            Files.deleteIfExists(directory.resolve(NodeIds.format(nodeId) + STATS_SUFFIX));
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory,
                NodeIds.format(nodeId) + STATS_SUFFIX + ".*.tmp")) {
                for (final Path temp : temps) {
                    Files.deleteIfExists(temp); // statistics being created when the node died
                }
            }
            Files.deleteIfExists(lockPath);
        } catch (final IOException ex) {
            errorHandler.onError(new BusException("cannot remove dead node's files: node="
                + NodeIds.format(nodeId) + ", error=" + ex, ex));
        }
    }

    private Path lockPath(final String id) {
        return directory.resolve(id + LOCK_SUFFIX);
    }

    @Override
    public void close() {
        // The mapping is released by the GC; nothing else is held per registry.
    }
}
