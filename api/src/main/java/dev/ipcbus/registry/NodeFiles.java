// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The files of a bus's registry directory, as the registry writes them and tools read them: their names, the node
 * file's JSON, and the test that tells a dead node's lock from a held one (PROTOCOL.md section 2). Shared by
 * {@link FileNodeRegistry} (a node's view, which reclaims) and {@link RegistryReader} (a tool's, which does not).
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
final class NodeFiles {
    /** The change counter. */
    static final String VERSION_FILE = "registry.version";
    /** Suffix of a node's record, {@code <id>.node}. */
    static final String NODE_SUFFIX = ".node";
    /** Suffix of a node's liveness lock, {@code <id>.lock}. */
    static final String LOCK_SUFFIX = ".lock";
    /** Suffix of a node's statistics, {@code <id>.stats}. */
    static final String STATS_SUFFIX = ".stats";
    /** Reads and writes node records; tolerant of fields a newer node adds. */
    static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private NodeFiles() {
    }

    /**
     * Tries to take a node's lock: it can be had only if its owner is dead (the OS released it) and nobody reclaims it.
     *
     * @param channel  the lock file, open for writing.
     * @param lockPath its path, for the {@code flock} check.
     * @return the lock, held until the channel closes; {@code null} if the owner or a reclaimer holds it (this JVM
     * included).
     * @throws IOException if the lock cannot be tried.
     */
    static FileLock lockOfDeadOwner(final FileChannel channel, final Path lockPath) throws IOException {
        final FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (final OverlappingFileLockException ex) {
            return null;
        }
        return lock == null || FlockProbe.isFlockedByAnyone(lockPath) ? null : lock;
    }

    /**
     * @param file a {@code <id>.node} file.
     * @return its record.
     * @throws NoSuchFileException if it was removed meanwhile.
     * @throws IOException         if it cannot be read or names another node.
     */
    static NodeRecord readNodeFile(final Path file) throws IOException {
        final String name = file.getFileName().toString();
        final NodeRecord record = JSON.readValue(Files.readAllBytes(file), NodeRecord.class);
        if (!name.equals(record.id() + NODE_SUFFIX)) {
            throw new IOException("node file names another node: id=" + record.id());
        }
        return record;
    }
}
