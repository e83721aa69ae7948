package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.platform.windows.WinError;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.FilemapOptions;
import dev.ipcbus.transport.filemap.core.MappedSegment;
import dev.ipcbus.transport.filemap.core.RingTransport;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.wine.BridgeReply;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.Win32Bridge;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineSession;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
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
 * The Windows filemap layer against Wine's named mappings and events, through the bridge, with the inbox and its writer
 * in different Wine processes: the auto-reset event as doorbell (a parked reader woken by another process's
 * {@code SetEvent}), a mapping holding a foreign magic refused, a name already taken refused, a name held by an object
 * of another type, and the current-user descriptor applied to both objects.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WindowsFilemapOnWineIT {
    private static final int FILE_MAP_ALL_ACCESS = 0x000F001F;
    private static final int PAGE_READWRITE = 0x04;

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
        final RingTransport reader = transport(WineSession.get().bridge(), "idle=block");
        final RingTransport writer = transport(process("writer"), "idle=block");
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Inbox inbox = reader.openInbox(0x61, frame -> {
            final byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            received.add(copy);
        });
        resources.add(inbox);
        final Outlet outlet = writer.openOutlet(0x61, inbox.address());
        resources.add(outlet);
        for (int i = 0; i < 5; i++) {
            // Each pause lets the reader park in WaitForSingleObject on its doorbell event.
            Thread.sleep(150);
            final byte[] frame = bytes(100 + i);
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(frame), TimeUnit.SECONDS.toNanos(5)));
            final byte[] got = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "the doorbell woke the parked reader, frame " + i);
            assertArrayEquals(frame, got);
        }
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldRefuseAMappingWithAForeignMagic() {
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
            final WindowsSegmentStore store = new WindowsSegmentStore(bus, new BridgeWin32(
                WineSession.get().bridge()));
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
        final BridgeWin32 other = new BridgeWin32(process("squatter"));
        final WindowsSegmentStore store = new WindowsSegmentStore(bus, new BridgeWin32(
            WineSession.get().bridge()));
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
        final BridgeWin32 api = new BridgeWin32(WineSession.get().bridge());
        final WindowsSegmentStore store = new WindowsSegmentStore(bus, api);
        final MappedSegment segment = store.create(0x65,
            SegmentDescriptor.segmentLength(SegmentDescriptor.MIN_CAPACITY));
        resources.add(segment);
        final Win32Bridge inspector = process("inspector");
        final String sid = inspector.call("CurrentUserSid").text(0);
        for (final String name : List.of(segment.address(), WindowsNames.eventName(segment.address()))) {
            final BridgeReply opened = name.endsWith(WindowsNames.DOORBELL_SUFFIX)
                ? inspector.call("OpenEventW", new long[] {0x00020000L | 0x00100000L}, Win32Bridge.wide(name))
                : inspector.call("OpenFileMappingW", new long[] {0x00020000L | 0x0004}, Win32Bridge.wide(name));
            assertTrue(opened.ok(), name + ": error=" + opened.lastError());
            final BridgeReply dacl = inspector.call("GetSecurityInfoDacl", opened.value());
            inspector.call("CloseHandle", opened.value());
            assertTrue(dacl.ok(), "GetSecurityInfo: error=" + dacl.lastError());
            assertTrue(dacl.text(0).startsWith("D:P(A;;") && dacl.text(0).endsWith(";;;" + sid + ")")
                && dacl.text(0).indexOf('(') == dacl.text(0).lastIndexOf('('), name + ": " + dacl.text(0));
        }
    }

    private RingTransport transport(final Win32Bridge bridge, final String option) {
        final String[] pair = option.split("=");
        final TransportContext context = new TransportContext(bus, new TransportOptions(Map.of(pair[0], pair[1])),
            Path.of("."), id -> true, errors::add);
        final RingTransport transport = new RingTransport(context, new WindowsSegmentStore(bus,
            new BridgeWin32(bridge)), FilemapOptions.read(context.options()));
        resources.add(transport);
        return transport;
    }

    private Win32Bridge process(final String name) {
        final Win32Bridge bridge = WineSession.get().newBridge(name);
        resources.add(bridge);
        return bridge;
    }

    private static byte[] bytes(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 5 + length);
        }
        return bytes;
    }
}
