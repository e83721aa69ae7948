// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Constants;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.platform.windows.WinError;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.filemap.core.Doorbell;
import dev.ipcbus.transport.filemap.core.MappedSegment;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.transport.filemap.core.SegmentGoneException;
import dev.ipcbus.transport.filemap.core.SegmentHeader;
import dev.ipcbus.transport.filemap.core.FilemapPlatform;
import dev.ipcbus.transport.filemap.core.SharedRegion;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * Segments as pagefile-backed named file mappings ({@code Local\ipcbus-<bus>-<nodehex>}) with a named auto-reset
 * event as doorbell ({@code …-bell}), both admitting only the current user ({@link CurrentUserSecurity}, built before
 * the create calls, once per segment).
 * <p>
 * A pagefile-backed mapping is committed and zero-filled by {@code CreateFileMapping}, so a shortage of commit
 * charge fails at creation. The names disappear when the last handle closes, which Windows does for a process that
 * dies: there is nothing to reclaim. A view is unmapped when its buffer becomes unreachable (a {@link Cleaner}), like
 * a {@code MappedByteBuffer}, so no thread can touch an unmapped view.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsFilemapPlatform implements FilemapPlatform {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String busName;
    private final Win32 win32;

    /**
     * @param busName the bus name.
     * @param win32   the Win32 binding.
     */
    public WindowsFilemapPlatform(final String busName, final Win32 win32) {
        this.busName = busName;
        this.win32 = win32;
    }

    @Override
    public String describe() {
        return "windows:" + WindowsNames.NAMESPACE;
    }

    @Override
    public MappedSegment create(final long nodeId, final int length) {
        final String name = WindowsNames.mappingName(busName, nodeId);
        final String eventName = WindowsNames.eventName(name);
        long mapping = 0;
        long event = 0;
        boolean done = false;
        try (CurrentUserSecurity security = CurrentUserSecurity.create(win32)) {
            mapping = win32.CreateFileMappingW(security.attributes(), Win32Constants.PAGE_READWRITE, 0, length, name);
            int error = win32.GetLastError();
            if (mapping == 0) {
                throw Win32Exception.of(win32, "CreateFileMappingW", error, "name=" + name + ", length=" + length
                    + (error == WinError.ERROR_INVALID_HANDLE
                    ? ", hint=the name belongs to an object of another type" : ""));
            }
            if (error == WinError.ERROR_ALREADY_EXISTS) {
                throw new BusException("filemap segment already exists (another inbox of this node id, or an object "
                    + "squatting on the name; it is never reused): name=" + name);
            }
            event = win32.CreateEventW(security.attributes(), false, false, eventName);
            error = win32.GetLastError();
            if (event == 0) {
                throw Win32Exception.of(win32, "CreateEventW", error, "name=" + eventName);
            }
            if (error == WinError.ERROR_ALREADY_EXISTS) {
                throw new BusException("filemap doorbell event already exists (never reused): name=" + eventName);
            }
            final SharedRegion region = new SharedRegion(map(mapping, length, name));
            final WindowsSegment segment = new WindowsSegment(name, region, mapping,
                new WindowsEventDoorbell(win32, region, event, eventName), true);
            done = true;
            return segment;
        } finally {
            if (!done) {
                closeQuietly(mapping, name);
                closeQuietly(event, eventName);
            }
        }
    }

    @Override
    public MappedSegment open(final long nodeId, final String address, final long timeoutNanos) {
        final String name = WindowsNames.mappingName(busName, nodeId);
        if (!name.equals(address)) {
            throw new BusException("filemap address does not name this node's segment: address=" + address
                + ", expected=" + name);
        }
        final String eventName = WindowsNames.eventName(name);
        long mapping = 0;
        long event = 0;
        boolean done = false;
        try {
            mapping = win32.OpenFileMappingW(Win32Constants.FILE_MAP_ALL_ACCESS, false, name);
            if (mapping == 0) {
                final int error = win32.GetLastError();
                if (error == WinError.ERROR_FILE_NOT_FOUND) {
                    throw new SegmentGoneException("filemap inbox is gone (its node closed or died): name=" + name
                        + ", node=" + NodeIds.format(nodeId));
                }
                throw Win32Exception.of(win32, "OpenFileMappingW", error, "name=" + name);
            }
            final SharedRegion header = new SharedRegion(map(mapping, SegmentDescriptor.HEADER_LENGTH, name));
            SegmentHeader.awaitReady(header, timeoutNanos, name);
            final int capacity = header.getInt(SegmentDescriptor.CAPACITY_OFFSET);
            SegmentDescriptor.checkCapacity(capacity);
            final SharedRegion region = new SharedRegion(map(mapping, SegmentDescriptor.segmentLength(capacity),
                name));
            SegmentHeader.validate(region, name);
            event = Win32Exception.checkHandle(win32, win32.OpenEventW(Win32Constants.EVENT_MODIFY_STATE
                | Win32Constants.SYNCHRONIZE, false, eventName), "OpenEventW", "name=" + eventName);
            final WindowsSegment segment = new WindowsSegment(name, region, mapping,
                new WindowsEventDoorbell(win32, region, event, eventName), false);
            done = true;
            return segment;
        } catch (final IllegalArgumentException ex) {
            throw new BusException("filemap segment header is corrupt: name=" + name + ", reason=" + ex.getMessage(),
                ex);
        } finally {
            if (!done) {
                closeQuietly(mapping, name);
                closeQuietly(event, eventName);
            }
        }
    }

    /**
     * Nothing to do, with or without an address: Windows closes a dead process's handles, and a named object
     * disappears with its last handle, so a node killed at any point of its start-up leaves no mapping behind.
     */
    @Override
    public void reclaim(final long nodeId, final String address) {
    }

    private ByteBuffer map(final long mapping, final int length, final String name) {
        final long address = Win32Exception.checkHandle(win32, win32.MapViewOfFile(mapping,
            Win32Constants.FILE_MAP_ALL_ACCESS, 0, 0, length), "MapViewOfFile", "name=" + name + ", length=" + length);
        final ByteBuffer buffer = win32.wrapView(address, length);
        CLEANER.register(buffer, new Unmap(win32, address));
        return buffer;
    }

    private void closeQuietly(final long handle, final String name) {
        if (handle != 0) {
            win32.CloseHandle(handle);
        }
    }

    /** Unmaps a view once its buffer is unreachable; holds no reference to the buffer. */
    private static final class Unmap implements Runnable {
        private final Win32 api;
        private final long address;

        Unmap(final Win32 api, final long address) {
            this.api = api;
            this.address = address;
        }

        @Override
        public void run() {
            api.UnmapViewOfFile(address);
        }
    }

    private final class WindowsSegment implements MappedSegment {
        private final String name;
        private final SharedRegion region;
        private final long mapping;
        private final Doorbell doorbell;
        private final boolean owner;
        private volatile boolean closed;

        WindowsSegment(final String name, final SharedRegion region, final long mapping, final Doorbell doorbell,
            final boolean owner) {
            this.name = name;
            this.region = region;
            this.mapping = mapping;
            this.doorbell = doorbell;
            this.owner = owner;
        }

        @Override
        public SharedRegion region() {
            return region;
        }

        @Override
        public String address() {
            return name;
        }

        @Override
        public Doorbell doorbell() {
            return doorbell;
        }

        /**
         * Closes the event and mapping handles; the owner's closing makes the name unopenable once every other
         * handle is closed too (writers' views keep the memory until they are collected).
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            try {
                doorbell.close();
            } catch (final RuntimeException ex) {
                failure = ex;
            }
            failure = Win32Exception.closeHandle(win32, mapping, "name=" + name, failure);
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public String toString() {
            return "WindowsSegment{name=" + name + ", owner=" + owner + "}";
        }
    }
}
