// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.transport.filemap.core.FilemapTransport;
import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.transport.filemap.FilemapTransportProvider;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EnabledOnOs(OS.LINUX)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PosixFilemapTransportIT {
    @TempDir
    Path runtime;

    private String bus;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private Transport transport;

    @BeforeEach
    void setUp(final TestInfo info) {
        bus = PosixTestSupport.busName(info.getTestMethod().orElseThrow().getName().substring(0, 12));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (transport != null) {
            transport.close();
        }
        final List<Path> left = PosixTestSupport.leftovers(bus);
        for (final Path path : left) {
            Files.deleteIfExists(path);
        }
        assertEquals(List.of(), left, "segment files left behind in /dev/shm");
    }

    private Transport open(final Map<String, String> options) {
        transport = PosixTestSupport.transport(bus, runtime, options, node -> true, errors);
        return transport;
    }

    @Test
    void shouldBeSupportedOnLinuxWithAFutexDoorbell() {
        final FilemapTransportProvider provider = new FilemapTransportProvider();
        assertEquals("filemap", provider.scheme());
        assertTrue(provider.isSupported(), provider.unsupportedReason());
        assertNull(PosixFilemapSupport.futexUnavailabilityCause());
    }

    @Test
    void shouldCreateAPrivateFileInDevShmAndDeleteItOnClose() throws Exception {
        final Transport transport = open(Map.of());
        assertEquals(128 * 1024, transport.maxFrameLength());
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, frame -> { });
        final Path path = Path.of(inbox.address());
        assertEquals(PosixFilemapPlatform.DEV_SHM.resolve("ipcbus-" + dev.ipcbus.registry.RuntimeDirectory.userName()
            + "-" + bus + "-" + NodeIds.format(node)), path);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals(1024 + (1 << 20), Files.size(path));
        inbox.close();
        assertFalse(Files.exists(path));
    }

    @Test
    void shouldWakeASleepingReaderThroughTheFutex() throws Exception {
        final Transport transport = open(Map.of("idle", "block", "capacity", "64KiB"));
        final long node = NodeIds.next();
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(node, frame -> received.add(frame.toString(StandardCharsets.UTF_8)));
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        long waited = 0;
        for (int i = 0; i < 20; i++) {
            Thread.sleep(5);
            final long start = System.nanoTime();
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.copiedBuffer("m" + i, StandardCharsets.UTF_8), 0));
            assertEquals("m" + i, received.poll(5, TimeUnit.SECONDS));
            waited += System.nanoTime() - start;
        }
        // Woken by the futex, not by its 100 ms safety timeout (20 timeouts would take 2 s; lenient for loaded CI).
        assertTrue(waited < TimeUnit.MILLISECONDS.toNanos(1500), "wake-ups too slow: totalMillis=" + waited / 1_000_000);
        final Map<String, Long> counters = ((FilemapTransport) transport).segmentCounters(node, inbox.address());
        assertTrue(counters.get("wakeups") >= 10, counters.toString());
        assertTrue(counters.get("doorbellRings") >= 10, counters.toString());
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldCarryFramesUpToTheMaxAndRefuseOneByteMore() throws Exception {
        final Transport transport = open(Map.of("capacity", "64KiB"));
        final long node = NodeIds.next();
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Inbox inbox = transport.openInbox(node, frame -> {
            final byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            received.add(bytes);
        });
        final Outlet outlet = transport.openOutlet(node, inbox.address());
        final byte[] max = new byte[8192];
        for (int i = 0; i < max.length; i++) {
            max[i] = (byte) i;
        }
        assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(max), TimeUnit.SECONDS.toNanos(1)));
        assertArrayEquals(max, received.poll(5, TimeUnit.SECONDS));
        assertThrows(MessageTooLargeException.class, () -> outlet.offer(Unpooled.wrappedBuffer(new byte[8193]), 0));
    }

    @Test
    void shouldRefuseToOverwriteAnExistingFile() throws Exception {
        final Transport transport = open(Map.of());
        final long node = NodeIds.next();
        final Path squatter = PosixFilemapPlatform.DEV_SHM.resolve(PosixFilemapPlatform.fileName(
            dev.ipcbus.registry.RuntimeDirectory.userName(), bus, node));
        Files.write(squatter, "not a segment".getBytes(StandardCharsets.UTF_8));
        try {
            final BusException ex = assertThrows(BusException.class, () -> transport.openInbox(node, frame -> { }));
            assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
            assertEquals("not a segment", Files.readString(squatter));
        } finally {
            Files.deleteIfExists(squatter);
        }
    }

    @Test
    void shouldRefuseToOpenAFileWithAWrongMagic() throws Exception {
        final Transport transport = open(Map.of());
        final long node = NodeIds.next();
        final Path path = PosixFilemapPlatform.DEV_SHM.resolve(PosixFilemapPlatform.fileName(
            dev.ipcbus.registry.RuntimeDirectory.userName(), bus, node));
        final byte[] garbage = new byte[4096];
        java.util.Arrays.fill(garbage, (byte) 0x5A);
        Files.write(path, garbage);
        try {
            final BusException ex = assertThrows(BusException.class,
                () -> transport.openOutlet(node, path.toString()));
            assertTrue(ex.getMessage().contains("not an ipcbus filemap segment"), ex.getMessage());
            assertEquals(0x5A, Files.readAllBytes(path)[4]);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldRefuseAnAddressThatIsNotTheNodesSegment() {
        final Transport transport = open(Map.of());
        final BusException ex = assertThrows(BusException.class,
            () -> transport.openOutlet(NodeIds.next(), "/etc/passwd"));
        assertTrue(ex.getMessage().contains("does not name this node's segment"), ex.getMessage());
        transport.reclaim(NodeIds.next(), "/etc/passwd");
        assertTrue(Files.exists(Path.of("/etc/passwd")));
    }

    @Test
    void shouldReportAGoneInboxClearly() {
        // The registry says the node is dead (a live node's gone inbox is retried for up to 5 s).
        transport = PosixTestSupport.transport(bus, runtime, Map.of(), node -> false, errors);
        final Transport transport = this.transport;
        final long node = NodeIds.next();
        final Inbox inbox = transport.openInbox(node, frame -> { });
        final String address = inbox.address();
        inbox.close();
        final BusException ex = assertThrows(BusException.class, () -> transport.openOutlet(node, address));
        assertTrue(ex.getMessage().contains("inbox is gone"), ex.getMessage());
    }

    @Test
    void shouldReclaimADeadNodesSegment() throws Exception {
        final Transport transport = open(Map.of());
        final long node = NodeIds.next();
        final PosixFilemapPlatform store = new PosixFilemapPlatform(bus, dev.ipcbus.registry.RuntimeDirectory.userName(),
            runtime, PosixFilemapPlatform.DEV_SHM, PosixFilemapSupport.doorbells());
        // A segment whose owner never closes it (it "died").
        final String address = store.create(node, 1024 + 65536).address();
        assertTrue(Files.exists(Path.of(address)));
        transport.reclaim(node, address);
        assertFalse(Files.exists(Path.of(address)));
        transport.reclaim(node, address);
    }

    @Test
    void shouldWorkInTheRuntimeDirectoryWithTheParkingDoorbellAsOnMacOs() throws Exception {
        // The macOS configuration (no /dev/shm, no futex), exercised on Linux: same store, other directory and doorbell.
        final dev.ipcbus.spi.TransportContext context = new dev.ipcbus.spi.TransportContext(bus,
            new dev.ipcbus.spi.TransportOptions(Map.of()), runtime, node -> true, errors::add);
        final PosixFilemapPlatform store = new PosixFilemapPlatform(bus, dev.ipcbus.registry.RuntimeDirectory.userName(),
            runtime, runtime, dev.ipcbus.transport.filemap.core.ParkingDoorbell::new);
        final dev.ipcbus.transport.filemap.core.FilemapTransport macLike = new dev.ipcbus.transport.filemap.core
            .FilemapTransport(context, store, new dev.ipcbus.transport.filemap.core.RingSettings(64 * 1024,
            dev.ipcbus.transport.filemap.core.IdleMode.BLOCK, TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(1)));
        try {
            final long node = NodeIds.next();
            final BlockingQueue<String> received = new LinkedBlockingQueue<>();
            final Inbox inbox = macLike.openInbox(node, frame -> received.add(frame.toString(StandardCharsets.UTF_8)));
            assertEquals(runtime, Path.of(inbox.address()).getParent());
            assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(Path.of(inbox.address()))));
            final Outlet outlet = macLike.openOutlet(node, inbox.address());
            for (int i = 0; i < 20; i++) {
                Thread.sleep(3);
                assertEquals(Outlet.SENT, outlet.offer(Unpooled.copiedBuffer("m" + i, StandardCharsets.UTF_8), 0));
                assertEquals("m" + i, received.poll(5, TimeUnit.SECONDS));
            }
            assertTrue(((FilemapTransport) macLike).segmentCounters(node, inbox.address()).get("wakeups") > 0);
            inbox.close();
            assertFalse(Files.exists(Path.of(inbox.address())));
        } finally {
            macLike.close();
        }
    }

    @Test
    void shouldRefuseBadOptionsClearly() {
        final ConfigurationException capacity = assertThrows(ConfigurationException.class,
            () -> open(Map.of("capacity", "3MiB")));
        assertTrue(capacity.getMessage().contains("power of two"), capacity.getMessage());
        final ConfigurationException idle = assertThrows(ConfigurationException.class,
            () -> open(Map.of("idle", "nap")));
        assertTrue(idle.getMessage().contains("spin|yield|block|hybrid"), idle.getMessage());
        transport = null;
    }
}
