// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.NodeIds;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * 64-bit counters in a small file mapped by several processes: the registry's change counter and each node's
 * statistics. The one place in {@code api} that does ordered access to shared memory.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                            Magic                              |  0
 *  +---------------------------------------------------------------+
 *  |                        Layout version                         |  4
 *  +---------------------------------------------------------------+
 *  |                       Counter 0 (64)                          |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Counter 1 (64) ...                      | 16
 * </pre>
 * Little-endian; counters are 8-byte aligned (the mapping is page-aligned). Writers: {@link #add} is an atomic
 * {@code getAndAdd} (several writers allowed), {@link #set} a release store (one writer per counter); readers:
 * {@link #get} is an acquire load. The file is written whole
 * under a temporary name and hard-linked into place, so no process ever maps a half-written header; a file with another
 * magic, layout or length is refused, never overwritten.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use, across processes.
 */
public final class CounterFile {
    /** Offset of the 32-bit magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the 32-bit layout version. */
    public static final int LAYOUT_OFFSET = 4;
    /** Offset of the first counter. */
    public static final int COUNTERS_OFFSET = 8;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class,
        ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buffer;
    private final int count;

    private CounterFile(final ByteBuffer buffer, final int count) {
        this.buffer = buffer;
        this.count = count;
    }

    /**
     * @param counters the number of counters.
     * @return the file length for that many counters.
     */
    public static int length(final int counters) {
        return COUNTERS_OFFSET + counters * Long.BYTES;
    }

    /**
     * Counters in process memory, for process-local buses.
     *
     * @param counters the number of counters.
     * @return zeroed counters.
     */
    public static CounterFile inMemory(final int counters) {
        return new CounterFile(ByteBuffer.allocateDirect(length(counters)).order(ByteOrder.LITTLE_ENDIAN), counters);
    }

    /**
     * Maps the file at {@code path}, creating it (mode 0600, zeroed counters) if it does not exist.
     *
     * @param path     the file.
     * @param magic    the magic identifying what the counters are.
     * @param layout   the layout version.
     * @param counters the number of counters.
     * @return the mapped counters.
     * @throws BusException if the file cannot be created or mapped, or is not of this kind.
     */
    public static CounterFile openOrCreate(final Path path, final int magic, final int layout, final int counters) {
        try {
            if (!Files.exists(path)) {
                final Path temp = path.resolveSibling(path.getFileName() + "." + NodeIds.format(NodeIds.next())
                    + ".tmp");
                try (FileChannel channel = RuntimeDirectory.isPosix()
                    ? FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(RuntimeDirectory.FILE_MODE))
                    : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    final ByteBuffer initial = ByteBuffer.allocate(length(counters)).order(ByteOrder.LITTLE_ENDIAN);
                    initial.putInt(MAGIC_OFFSET, magic).putInt(LAYOUT_OFFSET, layout);
                    while (initial.hasRemaining()) {
                        channel.write(initial);
                    }
                }
                try {
                    Files.createLink(path, temp); // atomic: fails if another process got there first
                } catch (final FileAlreadyExistsException ex) {
                    // the other process's file wins
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            return map(path, magic, layout, counters);
        } catch (final IOException ex) {
            throw new BusException("cannot create counter file: path=" + path + ", error=" + ex, ex);
        }
    }

    /**
     * Maps an existing file.
     *
     * @param path     the file.
     * @param magic    the expected magic.
     * @param layout   the expected layout version.
     * @param counters the number of counters.
     * @return the mapped counters, or {@code null} if the file does not exist.
     * @throws BusException if the file cannot be mapped or is not of this kind.
     */
    public static CounterFile openExisting(final Path path, final int magic, final int layout, final int counters) {
        try {
            return map(path, magic, layout, counters);
        } catch (final NoSuchFileException ex) {
            return null;
        } catch (final IOException ex) {
            throw new BusException("cannot open counter file: path=" + path + ", error=" + ex, ex);
        }
    }

    private static CounterFile map(final Path path, final int magic, final int layout, final int counters)
        throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final int length = length(counters);
            if (channel.size() != length) {
                throw new BusException("counter file has a bad length: path=" + path + ", length=" + channel.size()
                    + ", expected=" + length);
            }
            final ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, length)
                .order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.getInt(MAGIC_OFFSET) != magic || buffer.getInt(LAYOUT_OFFSET) != layout) {
                throw new BusException("counter file is not ours: path=" + path + ", magic=0x"
                    + Integer.toHexString(buffer.getInt(MAGIC_OFFSET)) + ", expectedMagic=0x"
                    + Integer.toHexString(magic) + ", layout=" + buffer.getInt(LAYOUT_OFFSET) + ", expectedLayout="
                    + layout);
            }
            return new CounterFile(buffer, counters);
        }
    }

    /**
     * @return the number of counters.
     */
    public int count() {
        return count;
    }

    /**
     * @param index the counter.
     * @return its value (acquire load).
     */
    public long get(final int index) {
        return (long)LONG.getAcquire(buffer, offset(index));
    }

    /**
     * Sets a counter that has a single writer (release store).
     *
     * @param index the counter.
     * @param value the value.
     */
    public void set(final int index, final long value) {
        LONG.setRelease(buffer, offset(index), value);
    }

    /**
     * Atomically adds to a counter.
     *
     * @param index the counter.
     * @param delta the amount.
     */
    public void add(final int index, final long delta) {
        LONG.getAndAdd(buffer, offset(index), delta);
    }

    /**
     * Adds to a counter that only one thread at a time writes: a plain read and a release store, no atomic
     * read-modify-write (Agrona's ordered add). Readers in other processes see whole values.
     *
     * @param index the counter.
     * @param delta the amount.
     */
    public void addSingleWriter(final int index, final long delta) {
        final int offset = offset(index);
        LONG.setRelease(buffer, offset, (long)LONG.get(buffer, offset) + delta);
    }

    private int offset(final int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("counter index: index=" + index + ", count=" + count);
        }
        return COUNTERS_OFFSET + index * Long.BYTES;
    }
}
