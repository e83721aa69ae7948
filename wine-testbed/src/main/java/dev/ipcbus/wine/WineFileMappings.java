// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Named file mappings made through a bridge, with bytes the JVM shares: each named mapping is backed by a file in the
 * session's {@code /dev/shm} directory (named after the object), which the Wine process maps through
 * {@code CreateFileMapping(hFile, ...)} + {@code MapViewOfFile} and the JVM maps with {@link FileChannel#map}. The
 * Java ring code and the Wine process thus read and write the same bytes, and the names behave as Wine's own named
 * objects ({@code ERROR_ALREADY_EXISTS}, {@code ERROR_FILE_NOT_FOUND} once the last handle closed,
 * {@code ERROR_INVALID_HANDLE} for a name of another type).
 * <p>
 * The one difference from Windows' pagefile-backed mappings is the backing file: Windows frees a mapping with its last
 * handle; here, after the last handle of a name is closed, the file is deleted by the next {@link #closeHandle} or
 * {@link #sweep()} that finds the name gone in Wine (files of processes that died are swept the same way, and the
 * session deletes its directory at exit).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineFileMappings {
    /** {@code OpenFileMapping} access used to ask whether a name still exists. */
    private static final int FILE_MAP_READ = 0x0004;
    private static final int ERROR_FILE_NOT_FOUND = 2;

    private final Win32Bridge bridge;
    private final Map<Long, String> mappingNames = new ConcurrentHashMap<>();
    private final Map<Long, String> viewNames = new ConcurrentHashMap<>();

    /**
     * @param bridge the Wine process making the calls.
     */
    public WineFileMappings(final Win32Bridge bridge) {
        this.bridge = bridge;
    }

    /**
     * @return the bridge.
     */
    public Win32Bridge bridge() {
        return bridge;
    }

    /**
     * {@code CreateFileMapping(hFile, sa, flProtect, high, low, lpName)} with {@code hFile} the name's backing file.
     *
     * @param sddl        the security descriptor in SDDL, or {@code null} for the default.
     * @param flProtect   page protection.
     * @param maximumSize the size.
     * @param lpName      the object name.
     * @return the reply: the handle (0 on failure) and {@code GetLastError()} ({@code ERROR_ALREADY_EXISTS} with a
     * handle: an existing object).
     */
    public BridgeReply createFileMapping(final String sddl, final int flProtect, final long maximumSize,
        final String lpName) {
        final Path file = backingFile(lpName);
        final BridgeReply reply = bridge.call("CreateFileMappingW", new long[] {flProtect, maximumSize},
            Win32Bridge.wide(lpName), Win32Bridge.wide(sddl), Win32Bridge.wide(WineSession.windowsPath(file)));
        if (reply.ok()) {
            mappingNames.put(reply.value(), lpName);
        }
        return reply;
    }

    /**
     * {@code OpenFileMapping(dwDesiredAccess, FALSE, lpName)}.
     *
     * @param dwDesiredAccess access.
     * @param lpName          the object name.
     * @return the reply: the handle, or 0 with {@code ERROR_FILE_NOT_FOUND}.
     */
    public BridgeReply openFileMapping(final int dwDesiredAccess, final String lpName) {
        final BridgeReply reply = bridge.call("OpenFileMappingW", new long[] {dwDesiredAccess},
            Win32Bridge.wide(lpName));
        if (reply.ok()) {
            mappingNames.put(reply.value(), lpName);
        }
        return reply;
    }

    /**
     * {@code MapViewOfFile(hFileMappingObject, dwDesiredAccess, 0, 0, dwNumberOfBytesToMap)} in the Wine process.
     *
     * @param hFileMappingObject   a handle from this object.
     * @param dwDesiredAccess      access.
     * @param dwNumberOfBytesToMap the view length.
     * @return the reply: the view's address in the Wine process, or 0.
     */
    public BridgeReply mapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess,
        final int dwNumberOfBytesToMap) {
        final BridgeReply reply = bridge.call("MapViewOfFile", hFileMappingObject, dwDesiredAccess, 0,
            dwNumberOfBytesToMap);
        final String name = mappingNames.get(hFileMappingObject);
        if (reply.ok() && name != null) {
            viewNames.put(reply.value(), name);
        }
        return reply;
    }

    /**
     * The JVM's view of the bytes a Wine view shows: the backing file mapped read-write, in native byte order as
     * JNA's {@code Pointer.getByteBuffer} returns it.
     *
     * @param address a view address from {@link #mapViewOfFile}.
     * @param length  its length.
     * @return a direct buffer over the same bytes.
     * @throws IllegalArgumentException if the address is not a view of a named mapping made here.
     */
    public ByteBuffer wrapView(final long address, final int length) {
        final String name = viewNames.get(address);
        if (name == null) {
            throw new IllegalArgumentException("not a view of a named mapping made through this bridge: address=0x"
                + Long.toHexString(address));
        }
        try (FileChannel channel = FileChannel.open(backingFile(name), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length).order(ByteOrder.nativeOrder());
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot map the backing file of " + name, ex);
        }
    }

    /**
     * {@code UnmapViewOfFile(lpBaseAddress)} in the Wine process; the JVM's buffer stays valid until collected.
     *
     * @param lpBaseAddress the view's address.
     * @return the reply.
     */
    public BridgeReply unmapViewOfFile(final long lpBaseAddress) {
        viewNames.remove(lpBaseAddress);
        return bridge.call("UnmapViewOfFile", lpBaseAddress);
    }

    /**
     * {@code CloseHandle(hObject)}; for a mapping, deletes the backing file if that was the name's last handle.
     *
     * @param hObject the handle.
     * @return the reply.
     */
    public BridgeReply closeHandle(final long hObject) {
        final BridgeReply reply = bridge.call("CloseHandle", hObject);
        final String name = mappingNames.remove(hObject);
        if (reply.ok() && name != null && !exists(name)) {
            deleteQuietly(backingFile(name));
        }
        return reply;
    }

    /**
     * Deletes the backing files of names that no longer exist in Wine (every handle closed, also by processes that
     * died).
     *
     * @return the names whose files remain (objects still open somewhere).
     */
    public List<String> sweep() {
        try (Stream<Path> files = Files.list(bridge.session().shmDirectory())) {
            return files.filter(file -> {
                final String name = URLDecoder.decode(file.getFileName().toString(), StandardCharsets.UTF_8);
                if (exists(name)) {
                    return true;
                }
                deleteQuietly(file);
                return false;
            }).map(file -> URLDecoder.decode(file.getFileName().toString(), StandardCharsets.UTF_8)).toList();
        } catch (final NoSuchFileException ex) {
            return List.of();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param lpName an object name.
     * @return the file backing that name's mapping.
     */
    public Path backingFile(final String lpName) {
        return bridge.session().shmDirectory().resolve(URLEncoder.encode(lpName, StandardCharsets.UTF_8));
    }

    /** Whether a mapping of that name exists in Wine now (some process holds a handle). */
    private boolean exists(final String name) {
        final BridgeReply probe = bridge.call("OpenFileMappingW", new long[] {FILE_MAP_READ},
            Win32Bridge.wide(name));
        if (probe.ok()) {
            bridge.call("CloseHandle", probe.value());
            return true;
        }
        return probe.lastError() != ERROR_FILE_NOT_FOUND;
    }

    private static void deleteQuietly(final Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (final IOException ignore) {
            // swept later
        }
    }
}
