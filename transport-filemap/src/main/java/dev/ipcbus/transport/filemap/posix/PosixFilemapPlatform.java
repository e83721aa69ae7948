// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.filemap.core.Doorbell;
import dev.ipcbus.transport.filemap.core.MappedSegment;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.transport.filemap.core.SegmentGoneException;
import dev.ipcbus.transport.filemap.core.SegmentHeader;
import dev.ipcbus.transport.filemap.core.FilemapPlatform;
import dev.ipcbus.transport.filemap.core.SharedRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.function.Function;

/**
 * Segments as files: {@code /dev/shm/ipcbus-<user>-<bus>-<nodehex>} (tmpfs, so the pages are memory), or the same name
 * in the bus's runtime directory where {@code /dev/shm} is missing (macOS; there the file is an ordinary file in a
 * per-user directory, and the page cache backs the mapping).
 * <p>
 * Creation is exclusive ({@code O_CREAT|O_EXCL}, mode 0600, never following a symbolic link) and reserves every page
 * by writing zeros over the whole file, so a full {@code /dev/shm} fails here with a clear message instead of as a
 * {@code SIGBUS} on the hot path. Opening checks that the file belongs to the current user and has the expected
 * name, then waits for the ready signal.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixFilemapPlatform implements FilemapPlatform {
    /** The tmpfs directory used when present. */
    public static final Path DEV_SHM = Paths.get("/dev/shm");
    /** Mode of segment files: owner read/write only. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private static final int ZERO_CHUNK = 64 * 1024;

    private final String busName;
    private final String userName;
    private final Path directory;
    private final Path runtimeDirectory;
    private final Function<SharedRegion, Doorbell> doorbells;

    /**
     * @param busName          the bus name.
     * @param userName         the current user's name, file-name safe.
     * @param runtimeDirectory the bus's private runtime directory (fallback location, and the owner reference).
     * @param shmDirectory     where segments go: {@link #DEV_SHM} if usable, else {@code runtimeDirectory}; see
     *                         {@link #defaultDirectory(Path)}.
     * @param doorbells        makes a doorbell for a mapped segment (futex or parking).
     */
    public PosixFilemapPlatform(
        final String busName,
        final String userName,
        final Path runtimeDirectory,
        final Path shmDirectory,
        final Function<SharedRegion, Doorbell> doorbells) {
        this.busName = busName;
        this.userName = userName;
        this.runtimeDirectory = runtimeDirectory;
        this.directory = shmDirectory;
        this.doorbells = doorbells;
    }

    /**
     * @param runtimeDirectory the bus's runtime directory.
     * @return {@code /dev/shm} if it is a writable directory, else {@code runtimeDirectory}.
     */
    public static Path defaultDirectory(final Path runtimeDirectory) {
        return Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM) ? DEV_SHM : runtimeDirectory;
    }

    /**
     * @param userName the user.
     * @param busName  the bus.
     * @param nodeId   the node.
     * @return the segment file name {@code ipcbus-<user>-<bus>-<nodehex>}.
     */
    public static String fileName(final String userName, final String busName, final long nodeId) {
        return "ipcbus-" + userName + "-" + busName + "-" + NodeIds.format(nodeId);
    }

    /**
     * @return the directory segments are created in.
     */
    public Path directory() {
        return directory;
    }

    /**
     * @param nodeId a node.
     * @return the path of its segment in this store.
     */
    public Path path(final long nodeId) {
        return directory.resolve(fileName(userName, busName, nodeId));
    }

    @Override
    public String describe() {
        return "posix:" + directory;
    }

    @Override
    public MappedSegment create(final long nodeId, final int length) {
        final Path path = path(nodeId);
        final Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        final FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, options, mode);
        } catch (final FileAlreadyExistsException ex) {
            throw new BusException("filemap segment already exists (another inbox of this node id, or a file left "
                + "by someone else; it is never overwritten): path=" + path, ex);
        } catch (final IOException ex) {
            throw new BusException("cannot create filemap segment: path=" + path + ", reason=" + ex, ex);
        }
        boolean done = false;
        try {
            reserve(channel, path, length);
            final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            final SharedRegion region = new SharedRegion(buffer);
            final PosixSegment segment = new PosixSegment(path, region, doorbells.apply(region), true);
            done = true;
            return segment;
        } catch (final IOException ex) {
            throw new BusException("cannot map filemap segment: path=" + path + ", length=" + length + ", reason="
                + ex, ex);
        } finally {
            closeChannel(channel);
            if (!done) {
                deleteQuietly(path);
            }
        }
    }

    private void reserve(final FileChannel channel, final Path path, final int length) {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(Math.min(ZERO_CHUNK, length));
        long position = 0;
        try {
            // Full size first (one write at the end), so that a concurrent opener never maps a growing file.
            zeros.limit(1);
            channel.write(zeros, length - 1);
            while (position < length) {
                zeros.clear();
                zeros.limit((int) Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position);
            }
            channel.force(false);
        } catch (final IOException ex) {
            long free = -1;
            try {
                free = Files.getFileStore(directory).getUsableSpace();
            } catch (final IOException ignored) {
                // Only for the message.
            }
            throw new BusException("cannot reserve shared memory for a filemap inbox (is " + directory + " full? "
                + "containers often give /dev/shm only 64 MiB: lower ?capacity= or enlarge /dev/shm): path=" + path
                + ", length=" + length + ", reserved=" + position + ", usableBytes=" + free + ", reason=" + ex, ex);
        }
    }

    @Override
    public MappedSegment open(final long nodeId, final String address, final long timeoutNanos) {
        final Path path = checkAddress(nodeId, address);
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        } catch (final NoSuchFileException ex) {
            throw new SegmentGoneException("filemap inbox is gone (its node closed or died): path=" + path
                + ", node=" + NodeIds.format(nodeId), ex);
        } catch (final IOException ex) {
            throw new BusException("cannot open filemap segment: path=" + path + ", reason=" + ex, ex);
        }
        try {
            checkOwner(path);
            final long size = channel.size();
            if (size < SegmentDescriptor.HEADER_LENGTH || size > Integer.MAX_VALUE) {
                throw new BusException("filemap segment has an impossible size (not a segment, or its creator died "
                    + "while creating it): path=" + path + ", size=" + size);
            }
            final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            final SharedRegion region = new SharedRegion(buffer);
            SegmentHeader.awaitReady(region, timeoutNanos, path.toString());
            SegmentHeader.validate(region, path.toString());
            return new PosixSegment(path, region, doorbells.apply(region), false);
        } catch (final IOException ex) {
            throw new BusException("cannot map filemap segment: path=" + path + ", reason=" + ex, ex);
        } finally {
            closeChannel(channel);
        }
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        deleteQuietly(path(nodeId));
        if (address != null && !address.isEmpty()) {
            try {
                deleteQuietly(checkAddress(nodeId, address));
            } catch (final BusException ignored) {
                // Not a path this store would have created: never delete it.
            }
        }
    }

    /**
     * Accepts only a path named exactly as this store names the node's segment, in {@code /dev/shm} or the runtime
     * directory: the address comes from a registry file, and must never make us open or delete anything else.
     */
    private Path checkAddress(final long nodeId, final String address) {
        final Path path;
        try {
            path = Paths.get(address).toAbsolutePath().normalize();
        } catch (final RuntimeException ex) {
            throw new BusException("bad filemap address: address=" + address, ex);
        }
        final Path parent = path.getParent();
        final boolean knownDirectory = parent != null
            && (parent.equals(DEV_SHM) || parent.equals(runtimeDirectory.toAbsolutePath().normalize())
            || parent.equals(directory.toAbsolutePath().normalize()));
        if (!knownDirectory || !path.getFileName().toString().equals(fileName(userName, busName, nodeId))) {
            throw new BusException("filemap address does not name this node's segment: address=" + address
                + ", expected=" + path(nodeId));
        }
        return path;
    }

    private void checkOwner(final Path path) throws IOException {
        final UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        final UserPrincipal me = Files.getOwner(runtimeDirectory);
        if (!owner.equals(me)) {
            throw new BusException("filemap segment belongs to another user (refusing to use it): path=" + path
                + ", owner=" + owner.getName() + ", expected=" + me.getName());
        }
    }

    private static void closeChannel(final FileChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // The mapping stays valid after the channel closes; nothing else to release.
        }
    }

    private static void deleteQuietly(final Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (final IOException ignored) {
            // Best effort: reclaim and close must tolerate a file already gone or not deletable.
        }
    }

    private static final class PosixSegment implements MappedSegment {
        private final Path path;
        private final SharedRegion region;
        private final Doorbell doorbell;
        private final boolean owner;
        private volatile boolean closed;

        PosixSegment(final Path path, final SharedRegion region, final Doorbell doorbell, final boolean owner) {
            this.path = path;
            this.region = region;
            this.doorbell = doorbell;
            this.owner = owner;
        }

        @Override
        public SharedRegion region() {
            return region;
        }

        @Override
        public String address() {
            return path.toString();
        }

        @Override
        public Doorbell doorbell() {
            return doorbell;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            doorbell.close();
            if (owner) {
                try {
                    Files.deleteIfExists(path);
                } catch (final IOException ex) {
                    throw new BusException("cannot delete filemap segment: path=" + path + ", reason=" + ex, ex);
                }
            }
        }
    }
}
