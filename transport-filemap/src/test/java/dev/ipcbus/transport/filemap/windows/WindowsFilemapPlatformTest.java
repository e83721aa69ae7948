// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.platform.windows.FakeWin32;
import dev.ipcbus.platform.windows.WinError;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.core.IdleMode;
import dev.ipcbus.transport.filemap.core.MappedSegment;
import dev.ipcbus.transport.filemap.core.RingSettings;
import dev.ipcbus.transport.filemap.core.FilemapTransport;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.transport.filemap.core.SegmentHeader;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows layer's logic, driven through the one fake of {@code Win32} (no Windows JVM here).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowsFilemapPlatformTest {
    private static final long NODE = 0x1234L;
    private static final int LENGTH = SegmentDescriptor.segmentLength(4096);

    @TempDir
    Path runtime;

    private final FakeWin32 api = new FakeWin32();
    private final WindowsFilemapPlatform store = new WindowsFilemapPlatform("shop", api);

    @Test
    void shouldCreateAMappingAndAnEventForTheCurrentUserOnly() {
        final MappedSegment segment = store.create(NODE, LENGTH);
        assertEquals("Local\\ipcbus-shop-0000000000001234", segment.address());
        assertTrue(api.namedObjectExists("Local\\ipcbus-shop-0000000000001234"));
        assertTrue(api.namedObjectExists("Local\\ipcbus-shop-0000000000001234-bell"));
        final String sddl = "D:P(A;;GA;;;" + FakeWin32.USER_SID + ")";
        assertEquals(List.of(sddl, sddl), api.created.stream().map(FakeWin32.Created::sddl).toList());
        assertEquals(0, api.liveDescriptors(), "the descriptor is freed after the create calls");
        assertEquals(LENGTH, segment.region().length());
        segment.close();
        assertTrue(api.namedObjects().isEmpty(), "names disappear with the last handle");
        assertTrue(api.openHandles() == 0);
    }

    @Test
    void shouldRefuseANameThatAlreadyExistsAndCloseItsHandles() {
        final MappedSegment first = store.create(NODE, LENGTH);
        final BusException ex = assertThrows(BusException.class, () -> store.create(NODE, LENGTH));
        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
        assertEquals(2, api.openHandles(), "only the first segment's handles remain");
        first.close();
        assertTrue(api.openHandles() == 0);
    }

    @Test
    void shouldReportANameTakenByAnotherObjectTypeAsANativeFailure() {
        api.CreateEventW(null, false, false, "Local\\ipcbus-shop-0000000000001234");
        final NativeCallException ex = assertThrows(NativeCallException.class, () -> store.create(NODE, LENGTH));
        assertEquals("CreateFileMappingW", ex.function());
        assertEquals(WinError.ERROR_INVALID_HANDLE, ex.code());
    }

    @Test
    void shouldReportAFailedDescriptorBuildBeforeCreatingAnything() {
        api.failNext("ConvertStringSecurityDescriptorToSecurityDescriptorW", WinError.ERROR_INVALID_PARAMETER, 1);
        final NativeCallException ex = assertThrows(NativeCallException.class, () -> store.create(NODE, LENGTH));
        assertEquals("ConvertStringSecurityDescriptorToSecurityDescriptorW", ex.function());
        assertTrue(api.created.isEmpty(), "no create call: " + api.created);
        assertEquals(0, api.openHandles());
    }

    @Test
    void shouldOpenAReadySegmentAndRefuseAMissingOne() {
        final MappedSegment created = store.create(NODE, LENGTH);
        SegmentHeader.initialize(created.region(), 4096, NODE, 1, 1_000_000, "x");
        final MappedSegment opened = store.open(NODE, created.address(), TimeUnit.SECONDS.toNanos(1));
        assertEquals(LENGTH, opened.region().length());
        opened.close();
        created.close();
        final BusException gone = assertThrows(BusException.class,
            () -> store.open(NODE, created.address(), TimeUnit.SECONDS.toNanos(1)));
        assertTrue(gone.getMessage().contains("inbox is gone"), gone.getMessage());
        final BusException other = assertThrows(BusException.class,
            () -> store.open(NODE, "Local\\something-else", 1));
        assertTrue(other.getMessage().contains("does not name"), other.getMessage());
    }

    @Test
    void shouldRefuseASegmentThatNeverBecomesReady() {
        final MappedSegment created = store.create(NODE, LENGTH);
        try {
            final BusException ex = assertThrows(BusException.class,
                () -> store.open(NODE, created.address(), TimeUnit.MILLISECONDS.toNanos(30)));
            assertTrue(ex.getMessage().contains("never became ready"), ex.getMessage());
        } finally {
            created.close();
        }
    }

    @Test
    void shouldCarryFramesAndWakeTheReaderThroughTheEvent() throws Exception {
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final TransportContext context = new TransportContext("shop", new TransportOptions(Map.of()), runtime,
            node -> true, errors::add);
        final FilemapTransport transport = new FilemapTransport(context, store, new RingSettings(64 * 1024,
            IdleMode.BLOCK, TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(1)));
        try {
            final BlockingQueue<String> received = new LinkedBlockingQueue<>();
            final Inbox inbox = transport.openInbox(NODE, frame -> received.add(
                frame.toString(StandardCharsets.UTF_8)));
            final Outlet outlet = transport.openOutlet(NODE, inbox.address());
            for (int i = 0; i < 50; i++) {
                Thread.sleep(2);
                assertEquals(Outlet.SENT, outlet.offer(Unpooled.copiedBuffer("m" + i, StandardCharsets.UTF_8), 0));
                assertEquals("m" + i, received.poll(5, TimeUnit.SECONDS));
            }
            final Map<String, Long> counters = transport.segmentCounters(NODE, inbox.address());
            assertTrue(counters.get("wakeups") > 0, counters.toString());
            assertTrue(errors.isEmpty(), errors.toString());
        } finally {
            transport.close();
        }
        assertTrue(api.namedObjects().isEmpty(), "objects left: " + api.namedObjects());
        assertTrue(api.openHandles() == 0, "handles left: " + api.openHandles());
    }
}
