// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Tells whether a file carries a {@code flock()} lock, from {@code /proc/locks} (Linux only; elsewhere the answer is
 * always {@code false}).
 * <p>
 * The registry's liveness lock is an {@code fcntl} record lock ({@link java.nio.channels.FileChannel#tryLock()}), and
 * on Linux {@code flock()} locks do not conflict with it: a foreign node that locks its lock file with {@code flock()}
 * looks dead to a try-lock. Before reclaiming a node whose lock it got, a checker asks this probe, and leaves the node
 * alone if some process holds a {@code flock()} lock on the file. This costs one read of {@code /proc/locks}, and only
 * when a node is about to be reclaimed. The protocol still requires {@code fcntl} locks (docs/PROTOCOL.md, section 2);
 * this only keeps a non-conforming client's node from being torn down while it runs.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
final class FlockProbe {
    private static final Path PROC_LOCKS = Paths.get("/proc/locks");
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

    private FlockProbe() {
    }

    /**
     * @param file a lock file.
     * @return {@code true} if {@code /proc/locks} lists a {@code FLOCK} lock held on the file's inode.
     */
    static boolean isFlockedByAnyone(final Path file) {
        if (!LINUX || !Files.isReadable(PROC_LOCKS)) {
            return false;
        }
        try {
            final long inode = (Long)Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            final long device = (Long)Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            return isFlocked(Files.readAllLines(PROC_LOCKS, StandardCharsets.US_ASCII), device, inode);
        } catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            return false; // gone, or no way to tell: the fcntl lock alone decides, as the protocol says
        }
    }

    /**
     * @param lines  the lines of {@code /proc/locks}, e.g. {@code 1: FLOCK  ADVISORY  WRITE 4242 00:2f:1234 0 EOF};
     *               a waiting request reads {@code 1: -> FLOCK ...} and holds nothing.
     * @param device the file's {@code st_dev} as Linux encodes it.
     * @param inode  the file's inode number.
     * @return {@code true} if a held {@code FLOCK} entry names that device and inode.
     */
    static boolean isFlocked(final List<String> lines, final long device, final long inode) {
        final long major = ((device >>> 8) & 0xfffL) | ((device >>> 32) & ~0xfffL);
        final long minor = (device & 0xffL) | ((device >>> 12) & ~0xffL);
        for (final String line : lines) {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length < 6 || !"FLOCK".equals(fields[1])) {
                continue;
            }
            final String[] id = fields[5].split(":");
            if (id.length == 3 && parse(id[0], 16) == major && parse(id[1], 16) == minor
                && parse(id[2], 10) == inode) {
                return true;
            }
        }
        return false;
    }

    private static long parse(final String text, final int radix) {
        try {
            return Long.parseLong(text, radix);
        } catch (final NumberFormatException ex) {
            return -1;
        }
    }
}
