// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM-wide table of node lock files: the ones nodes of this JVM hold, and the ones a thread of this JVM is
 * checking or creating right now.
 * <p>
 * It exists because POSIX drops all of a process's {@code fcntl} locks on a file when any of its channels on that
 * file closes: a checker must never open the lock file of a node of its own JVM (it asks {@link #isOwned} first), and
 * two threads of one JVM must never check the same foreign lock file at once ({@link #tryEnter}/{@link #exit}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the state is static, shared by every registry of the JVM.
 */
final class NodeLockTable {
    /** How long {@link #claim} keeps trying when checkers keep taking its new lock file (in practice: never). */
    private static final long CLAIM_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Lock files held by nodes of this JVM: never opened by a checker (closing would drop the lock). */
    private static final ConcurrentHashMap<Path, FileChannel> OWNED = new ConcurrentHashMap<>();
    /** Lock files being checked by a thread of this JVM, or being created by a node of this JVM. */
    private static final Set<Path> CHECKING = ConcurrentHashMap.newKeySet();

    private NodeLockTable() {
    }

    /**
     * @param lockPath a node's lock file.
     * @return whether a node of this JVM holds it.
     */
    static boolean isOwned(final Path lockPath) {
        return OWNED.containsKey(lockPath);
    }

    /**
     * Marks {@code lockPath} as being checked by the calling thread.
     *
     * @param lockPath a node's lock file.
     * @return {@code false} if another thread of this JVM checks or creates it right now (then do not touch it).
     */
    static boolean tryEnter(final Path lockPath) {
        return CHECKING.add(lockPath);
    }

    /**
     * Ends a check begun with {@link #tryEnter}.
     *
     * @param lockPath the lock file.
     */
    static void exit(final Path lockPath) {
        CHECKING.remove(lockPath);
    }

    /**
     * Creates {@code lockPath}, locks it and records it as held by this JVM; nothing if it already is. A checker in
     * another process may lock the new file before we do, find it free and reclaim it (remove it): we then hold no
     * lock, or a lock on a removed file, and start again.
     *
     * @param lockPath the new node's lock file.
     * @throws BusException if it cannot be created and locked.
     */
    static void claim(final Path lockPath) {
        if (OWNED.containsKey(lockPath)) {
            return;
        }
        enterChecking(lockPath);
        try {
            OWNED.put(lockPath, createLocked(lockPath));
        } finally {
            exit(lockPath);
        }
    }

    /**
     * Forgets a lock file of this JVM and releases its lock (the caller removed the file first).
     *
     * @param lockPath the lock file.
     * @return {@code false} if no node of this JVM held it.
     * @throws IOException if closing its channel fails (the lock is released anyway).
     */
    static boolean release(final Path lockPath) throws IOException {
        final FileChannel channel = OWNED.remove(lockPath);
        if (channel == null) {
            return false;
        }
        channel.close();
        return true;
    }

    /**
     * Waits until no thread of this JVM checks {@code lockPath} and marks it as being checked (bounded: a check is
     * short; a fresh random node id is checked by nobody unless a stale record names it).
     */
    private static void enterChecking(final Path lockPath) {
        final long deadline = System.nanoTime() + CLAIM_TIMEOUT_NANOS;
        while (!tryEnter(lockPath)) {
            if (System.nanoTime() - deadline > 0) {
                throw new BusException("cannot claim node lock: another thread keeps checking it: path=" + lockPath);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static FileChannel createLocked(final Path lockPath) {
        final long deadline = System.nanoTime() + CLAIM_TIMEOUT_NANOS;
        int attempts = 0;
        while (true) {
            attempts++;
            FileChannel channel = null;
            try {
                channel = RuntimeDirectory.openPrivate(lockPath, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
                final FileLock lock = channel.tryLock();
                if (lock != null && Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS)) {
                    return channel;
                }
            } catch (final FileAlreadyExistsException ex) {
                // The file of our previous attempt, which its reclaimer has not removed yet.
            } catch (final IOException | OverlappingFileLockException ex) {
                closeQuietly(channel, ex);
                throw new BusException("cannot create node lock: path=" + lockPath + ", error=" + ex, ex);
            }
            closeQuietly(channel, null);
            if (System.nanoTime() - deadline > 0) {
                throw new BusException("cannot create node lock: checkers kept reclaiming it: path=" + lockPath
                    + ", attempts=" + attempts);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void closeQuietly(final FileChannel channel, final Exception failure) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (final IOException ex) {
            if (failure != null) {
                failure.addSuppressed(ex);
            }
        }
    }
}
