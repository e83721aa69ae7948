// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Constants;
import dev.ipcbus.platform.windows.WinError;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.testkit.ChildJvm;
import dev.ipcbus.testkit.OutletChild;
import dev.ipcbus.transport.filemap.FilemapOptions;
import dev.ipcbus.transport.filemap.core.MappedSegment;
import dev.ipcbus.transport.filemap.core.FilemapTransport;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineSession;
import dev.ipcbus.wine.WineShim;
import dev.ipcbus.wine.WineWindowsLayer;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows filemap layer against Wine's named mappings and events, with the inbox and its writer in different Wine
 * processes: the auto-reset event as doorbell (a parked reader woken by another process's {@code SetEvent}), a mapping
 * holding a foreign magic refused, a name already taken refused, a name held by an object of another type, and the
 * current-user descriptor applied to both objects.
 * <p>
 * This JVM's side (the node under test, its segment store, the security read-back) runs the production binding,
 * {@link WindowsPlatform#win32()}, through the Wine shim ({@link WineWindowsLayer}). The writer in another process is
 * a child JVM on the production binding ({@link OutletChild}). {@link BridgeWin32} stands only for <em>other</em>
 * Windows processes that squat a name: one holding a mapping with a foreign magic, one holding the name first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(WineWindowsLayer.class) // the shim, and -Dipcbus.platform=windows for child JVMs
class WindowsFilemapOnWineIT {
    private static final int FILE_MAP_ALL_ACCESS = 0x000F001F;
    private static final int PAGE_READWRITE = 0x04;
    private static final int READ_CONTROL = 0x00020000;
    private static final int PATTERN = 5;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final String bus = "wine-fm-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void shouldWakeAParkedReaderWithTheEventOfAnotherProcess() throws Exception {
        final FilemapTransport reader = transport("idle=block");
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Inbox inbox = reader.openInbox(0x61, frame -> {
            final byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            received.add(copy);
        });
        resources.add(inbox);
        // The writer is another process on the production binding: a child JVM with its own shim bridge.
        final ChildJvm writer = ChildJvm.start(OutletChild.class, List.of(), "filemap", bus, "idle=block",
            Long.toString(0x61), inbox.address(), Integer.toString(PATTERN));
        resources.add(writer);
        writer.awaitLine("READY", Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            // Each pause lets the reader park in WaitForSingleObject on its doorbell event.
            Thread.sleep(150);
            final byte[] frame = bytes(100 + i);
            writer.send(Integer.toString(frame.length));
            final String offered = writer.awaitLine("OFFER " + frame.length + " ", Duration.ofSeconds(30));
            assertEquals(Outlet.SENT, Integer.parseInt(offered.substring(offered.lastIndexOf(' ') + 1)), offered);
            final byte[] got = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "the doorbell woke the parked reader, frame " + i);
            assertArrayEquals(frame, got);
        }
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldRefuseAMappingWithAForeignMagic() {
        // The mapping's owner is another Windows process squatting the name: a bridge process, BridgeWin32's one role.
        final Win32Bridge squatter = process("foreign");
        final BridgeWin32 foreign = new BridgeWin32(squatter);
        final long node = 0x62;
        final String name = WindowsNames.mappingName(bus, node);
        final int length = SegmentDescriptor.segmentLength(SegmentDescriptor.MIN_CAPACITY);
        final long mapping = foreign.CreateFileMappingW(null, PAGE_READWRITE, 0, length, name);
        assertTrue(mapping != 0);
        final long event = foreign.CreateEventW(null, false, false, WindowsNames.eventName(name));
        final long view = foreign.MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, length);
        final ByteBuffer bytes = foreign.wrapView(view, length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(SegmentDescriptor.MAGIC_OFFSET, 0x1BADF00D);
        bytes.putInt(SegmentDescriptor.CAPACITY_OFFSET, SegmentDescriptor.MIN_CAPACITY);
        try {
            final WindowsFilemapPlatform store = new WindowsFilemapPlatform(bus, WindowsPlatform.win32());
            final BusException refused = assertThrows(BusException.class, () -> store.open(node, name,
                TimeUnit.MILLISECONDS.toNanos(500)));
            assertTrue(refused.getMessage().contains(name), refused.getMessage());
        } finally {
            foreign.UnmapViewOfFile(view);
            foreign.CloseHandle(event);
            foreign.CloseHandle(mapping);
        }
    }

    @Test
    void shouldRefuseANameAlreadyTakenAndNameTheOtherType() {
        // The names' holder is another Windows process that squats them: a bridge process, BridgeWin32's one role.
        final BridgeWin32 other = new BridgeWin32(process("squatter"));
        final WindowsFilemapPlatform store = new WindowsFilemapPlatform(bus, WindowsPlatform.win32());
        final int length = SegmentDescriptor.segmentLength(SegmentDescriptor.MIN_CAPACITY);

        final String taken = WindowsNames.mappingName(bus, 0x63);
        final long mapping = other.CreateFileMappingW(null, PAGE_READWRITE, 0, length, taken);
        final BusException exists = assertThrows(BusException.class, () -> store.create(0x63, length));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        other.CloseHandle(mapping);

        final String clash = WindowsNames.mappingName(bus, 0x64);
        final long event = other.CreateEventW(null, false, false, clash);
        final NativeCallException type = assertThrows(NativeCallException.class, () -> store.create(0x64, length));
        assertEquals(WinError.ERROR_INVALID_HANDLE, type.code());
        assertTrue(type.getMessage().contains("another type"), type.getMessage());
        other.CloseHandle(event);
    }

    @Test
    void shouldApplyTheCurrentUserDescriptorToMappingAndEvent() throws Exception {
        final Win32 api = WindowsPlatform.win32();
        final WindowsFilemapPlatform store = new WindowsFilemapPlatform(bus, api);
        final MappedSegment segment = store.create(0x65,
            SegmentDescriptor.segmentLength(SegmentDescriptor.MIN_CAPACITY));
        resources.add(segment);
        final String sid = CurrentUserSecurity.currentUserSid(api);
        // Read back through the production binding and the shim: each object opened by name with READ_CONTROL.
        for (final String name : List.of(segment.address(), WindowsNames.eventName(segment.address()))) {
            final long opened = name.endsWith(WindowsNames.DOORBELL_SUFFIX)
                ? api.OpenEventW(READ_CONTROL | Win32Constants.SYNCHRONIZE, false, name)
                : api.OpenFileMappingW(READ_CONTROL | Win32Constants.FILE_MAP_READ, false, name);
            assertTrue(opened != 0, name + ": error=" + api.GetLastError());
            final String dacl;
            try {
                dacl = WineShim.daclOf(opened);
            } finally {
                api.CloseHandle(opened);
            }
            assertTrue(dacl.startsWith("D:P(A;;") && dacl.endsWith(";;;" + sid + ")")
                && dacl.indexOf('(') == dacl.lastIndexOf('('), name + ": " + dacl);
        }
    }

    /** A transport of this JVM's Windows process, on the production binding. */
    private FilemapTransport transport(final String option) {
        final String[] pair = option.split("=");
        final TransportContext context = new TransportContext(bus, new TransportOptions(Map.of(pair[0], pair[1])),
            Path.of("."), id -> true, errors::add);
        final FilemapTransport transport = new FilemapTransport(context, new WindowsFilemapPlatform(bus,
            WindowsPlatform.win32()), FilemapOptions.read(context.options()));
        resources.add(transport);
        return transport;
    }

    private Win32Bridge process(final String name) {
        final Win32Bridge bridge = WineSession.get().newBridge(name);
        resources.add(bridge);
        return bridge;
    }

    private static byte[] bytes(final int length) {
        return OutletChild.bytes(length, PATTERN);
    }
}
