// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.OperatingSystem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Where a node's inbox socket lives, within the {@code sun_path} limit of {@code struct sockaddr_un}: 108 bytes on
 * Linux, 104 on macOS and the BSDs, the terminating NUL included.
 * <p>
 * The preferred path is {@code <runtimeDirectory>/<nodehex>.sock}, next to the registry's node files. When that is
 * too long (a deep runtime directory), the socket goes to a short per-user fallback directory,
 * {@code <temporary directory>/ipcbus-<user>/s/<bushash>-<nodehex>.sock}
 * ({@link RuntimeDirectory#temporaryDirectory()}: {@code $TMPDIR} or {@code /tmp}), private to the user like the
 * runtime directory.
 * If even that does not fit, creating the inbox fails with a {@link ConfigurationException} naming both paths.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class PosixSocketPaths {
    /** {@code sizeof(sun_path)} on Linux, NUL included. */
    public static final int SUN_PATH_LENGTH_LINUX = 108;
    /** {@code sizeof(sun_path)} on macOS and the BSDs, NUL included. */
    public static final int SUN_PATH_LENGTH_BSD = 104;
    /** File name suffix of an inbox socket. */
    public static final String SUFFIX = ".sock";

    private PosixSocketPaths() {
    }

    /**
     * @return the longest socket path this OS accepts, in bytes, without the NUL.
     */
    public static int maxPathBytes() {
        return (OperatingSystem.host() == OperatingSystem.LINUX ? SUN_PATH_LENGTH_LINUX : SUN_PATH_LENGTH_BSD) - 1;
    }

    /**
     * @return the short fallback directory, not yet created.
     */
    public static Path defaultFallbackDirectory() {
        return RuntimeDirectory.temporaryDirectory().resolve("ipcbus-" + RuntimeDirectory.userName()).resolve("s")
            .toAbsolutePath();
    }

    /**
     * Chooses the inbox socket path of a node.
     *
     * @param runtimeDirectory  this bus's runtime directory.
     * @param busName           the bus name (hashed into fallback names).
     * @param nodeId            the node.
     * @param fallbackDirectory the short directory used when the preferred path is too long.
     * @param maxPathBytes      the limit, usually {@link #maxPathBytes()}.
     * @return the preferred path if it fits, else the fallback path.
     * @throws ConfigurationException if neither fits.
     */
    public static Path socketPath(
        final Path runtimeDirectory,
        final String busName,
        final long nodeId,
        final Path fallbackDirectory,
        final int maxPathBytes) {
        final String node = NodeIds.format(nodeId);
        final Path preferred = runtimeDirectory.toAbsolutePath().resolve(node + SUFFIX);
        if (length(preferred) <= maxPathBytes) {
            return preferred;
        }
        final CRC32 crc = new CRC32();
        crc.update((runtimeDirectory.toAbsolutePath() + "\n" + busName).getBytes(StandardCharsets.UTF_8));
        final String hash = String.format("%08x", crc.getValue());
        final Path fallback = fallbackDirectory.toAbsolutePath().resolve(hash + "-" + node + SUFFIX);
        if (length(fallback) <= maxPathBytes) {
            return fallback;
        }
        throw new ConfigurationException("socket path too long for sun_path: path=" + preferred + ", bytes="
            + length(preferred) + ", fallback=" + fallback + ", fallbackBytes=" + length(fallback) + ", max="
            + maxPathBytes + " (choose a shorter runtime directory with -D" + dev.ipcbus.BusConfig.RUNTIME_DIR_PROPERTY
            + " or " + dev.ipcbus.BusConfig.RUNTIME_DIR_ENV + ", or a shorter TMPDIR)");
    }

    /**
     * @param path    a socket path, e.g. an address read from the registry.
     * @param nodeId  the node it should belong to.
     * @return {@code true} if the file name is one this layer gives that node's socket.
     */
    public static boolean isSocketNameOf(final Path path, final long nodeId) {
        final Path name = path.getFileName();
        return name != null && name.toString().endsWith(NodeIds.format(nodeId) + SUFFIX);
    }

    /**
     * @param path a path.
     * @return its length in bytes as the OS sees it (UTF-8).
     */
    public static int length(final Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
