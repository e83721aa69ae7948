// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.testkit.ChildJvm;
import dev.ipcbus.transport.mailslot.core.MailslotInboxCounters;
import dev.ipcbus.transport.mailslot.core.MailslotInbox;
import dev.ipcbus.transport.mailslot.core.MailslotSizing;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The POSIX layer against real {@code AF_UNIX} datagram sockets, through the SPI (no bus core): frame sizes, raw
 * clients sending garbage, backpressure, peers that vanish, permissions, long paths, and a killed child JVM's socket
 * file. After each test no socket file may be left in the runtime directory.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PosixMailslotIT {
    @TempDir
    Path base;

    private Path directory;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Map<Long, Boolean> dead = new ConcurrentHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void createDirectory() throws IOException {
        directory = Files.createDirectory(base.resolve("bus"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
    }

    @AfterEach
    void closeAndCheckNothingLeft() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        try (Stream<Path> files = Files.walk(base)) {
            assertEquals(List.of(), files.filter(path -> path.toString().endsWith(PosixMailslotPlatform.SOCKET_SUFFIX))
                .toList(), "socket files left behind");
        }
    }

    private MailslotTransport transport(final Path in, final long maxFrameOption) {
        final MailslotTransport transport = new MailslotTransport(
            PosixMailslotPlatform.create(in, maxFrameOption, errors::add),
            node -> !dead.containsKey(node), errors::add, node -> InboxCounters.inMemory());
        resources.add(transport);
        return transport;
    }

    private MailslotTransport transport() {
        return transport(directory, -1);
    }

    private static byte[] poll(final Frames.Validating listener) throws InterruptedException {
        final byte[] frame = listener.valid.poll(10, TimeUnit.SECONDS);
        assertNotNull(frame, "no frame within 10 s");
        return frame;
    }

    private static int send(final Outlet outlet, final ByteBuf frame, final long timeoutNanos) {
        try {
            return outlet.offer(frame, timeoutNanos);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldCarryOneDatagramPerFrameUpToTheMaximumAndRefuseOneByteMore() throws Exception {
        final MailslotTransport transport = transport();
        final int max = transport.maxFrameLength();
        assertEquals(MailslotSizing.DEFAULT_MAX_FRAME_LENGTH, max);
        final Frames.Validating listener = new Frames.Validating();
        final Inbox inbox = transport.openInbox(1, listener);
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        for (final int size : new int[] {FrameDescriptor.FIXED_LENGTH + 1, 100, 4093, 4096, max / 2 + 3, max - 1,
            max}) {
            final ByteBuf frame = Frames.frame(size);
            final byte[] expected = Frames.bytes(frame);
            assertEquals(Outlet.SENT, send(outlet, frame, 0), "size " + size);
            assertArrayEquals(expected, poll(listener), "size " + size);
        }
        final ByteBuf tooLarge = Frames.frame(max + 1);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> send(outlet, tooLarge, 0));
        assertTrue(ex.getMessage().contains("maxFrameLength=" + max), ex.getMessage());
        assertEquals(0, listener.invalid.get());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldCarryFramesUpToALargerConfiguredMaximum() throws Exception {
        final MailslotTransport transport = transport(directory, 1 << 20);
        assertEquals(1 << 20, transport.maxFrameLength());
        final Frames.Validating listener = new Frames.Validating();
        final Inbox inbox = transport.openInbox(1, listener);
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        for (final int size : new int[] {(1 << 16) + 1, (1 << 20) - 1, 1 << 20}) {
            final ByteBuf frame = Frames.frame(size);
            final byte[] expected = Frames.bytes(frame);
            assertEquals(Outlet.SENT, send(outlet, frame, TimeUnit.SECONDS.toNanos(5)), "size " + size);
            assertArrayEquals(expected, poll(listener), "size " + size);
        }
    }

    @Test
    void shouldRefuseAMaximumBeyondTheLimit() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> PosixMailslotPlatform.create(directory, 8L << 20, errors::add));
        assertTrue(ex.getMessage().contains("max=" + PosixSocketSizing.MAX_FRAME_LENGTH), ex.getMessage());
        assertThrows(ConfigurationException.class, () -> PosixMailslotPlatform.create(directory, 100, errors::add));
    }

    @Test
    void shouldSurviveGarbageFromARawClientAndKeepServing() throws Exception {
        final MailslotTransport transport = transport();
        final int max = transport.maxFrameLength();
        final Frames.Validating listener = new Frames.Validating();
        final MailslotInbox inbox = (MailslotInbox)transport.openInbox(1, listener);
        final Path path = Paths.get(inbox.address());
        final byte[] garbage = new byte[100];
        ThreadLocalRandom.current().nextBytes(garbage);
        final ByteBuf valid = Frames.frame(200);
        final byte[] validBytes = Frames.bytes(valid);
        valid.release();
        final byte[] truncated = java.util.Arrays.copyOf(validBytes, FrameDescriptor.FIXED_LENGTH);
        final byte[] hugeLength = validBytes.clone();
        hugeLength[FrameDescriptor.TOPIC_LENGTH_OFFSET] = (byte)255;
        try (RawDatagramClient raw = new RawDatagramClient()) {
            raw.sendTo(path, garbage);
            raw.sendTo(path, truncated);
            raw.sendTo(path, hugeLength);
            raw.sendTo(path, new byte[0]);
            raw.sendTo(path, new byte[0]);
            raw.sendTo(path, new byte[max + 1]);
            raw.sendTo(path, new byte[2 * max]);
            raw.sendTo(path, validBytes);
        }
        assertArrayEquals(validBytes, poll(listener), "still serving after the garbage");
        assertEquals(3, listener.invalid.get(), "garbage, truncated and huge-length frames reach the core's check");
        final MailslotInboxCounters counters = inbox.counters();
        assertEquals(2, counters.zeroLengthDropped());
        assertEquals(2, counters.oversizeDropped());
        assertEquals(4, counters.frames());
        assertEquals(2, errors.size(), "one report per kind: " + errors);
        assertEquals(4, counters.common().framesDropped(), "empty and oversize datagrams, in the statistics file");
        assertEquals(4, counters.common().framesRead());
    }

    @Test
    void shouldBlockWhileTheReceiverIsFullThenReportBackPressure() throws Exception {
        final MailslotTransport transport = transport();
        final CountDownLatch release = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(1, stalled(release));
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        try {
            stall(outlet);
            int sent = 0;
            while (send(outlet, Frames.frame(100), 0) == Outlet.SENT) {
                sent++;
                assertTrue(sent < 1000, "the receiver's queue never filled");
            }
            final long start = System.nanoTime();
            assertEquals(Outlet.BACK_PRESSURED, send(outlet, Frames.frame(100), TimeUnit.MILLISECONDS.toNanos(300)));
            final long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(300), "waited the timeout: " + waited);
            assertTrue(waited < TimeUnit.SECONDS.toNanos(3), "and not much more: " + waited);
            release.countDown();
            assertEquals(Outlet.SENT, send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(5)),
                "room again once the receiver reads");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldReleaseABlockedWriterWhenTheTargetDiesOrTheOutletCloses() throws Exception {
        final MailslotTransport transport = transport();
        final CountDownLatch release = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(1, stalled(release));
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        try {
            stall(outlet);
            while (send(outlet, Frames.frame(100), 0) == Outlet.SENT) {
                Thread.onSpinWait();
            }
            final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(
                () -> send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(30)));
            Thread.sleep(100);
            dead.put(1L, true);
            assertEquals(Outlet.PEER_GONE, waiter.get(5, TimeUnit.SECONDS));
            dead.clear();
            final CompletableFuture<Integer> closed = CompletableFuture.supplyAsync(
                () -> send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(30)));
            Thread.sleep(100);
            outlet.close();
            assertEquals(Outlet.CLOSED, closed.get(5, TimeUnit.SECONDS));
            assertEquals(Outlet.CLOSED, send(outlet, Frames.frame(100), 0));
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldReturnPeerGoneOnceTheInboxIsClosed() {
        final MailslotTransport transport = transport();
        final Inbox inbox = transport.openInbox(1, new Frames.Validating());
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        assertEquals(Outlet.SENT, send(outlet, Frames.frame(100), 0));
        inbox.close();
        assertEquals(Outlet.PEER_GONE, send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(1)));
        assertEquals(Outlet.PEER_GONE, send(outlet, Frames.frame(100), 0), "and stays gone");
        final InboxUnavailableException gone = assertThrows(InboxUnavailableException.class,
            () -> transport.openOutlet(1, inbox.address()));
        final NativeCallException ex = (NativeCallException) gone.getCause();
        assertEquals(LinuxSocketConstants.ENOENT, ex.code());
        assertEquals("connect", ex.function());
    }

    @Test
    void shouldCreateTheSocketFile0600InThePrivateDirectory() throws Exception {
        final MailslotTransport transport = transport();
        final Inbox inbox = transport.openInbox(0x1234L, new Frames.Validating());
        final Path path = Paths.get(inbox.address());
        assertEquals(directory.resolve("0000000000001234.sock"), path);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path,
            LinkOption.NOFOLLOW_LINKS)));
        assertTrue(Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS).isOther(), "a socket");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
    }

    @Test
    void shouldWorkInADirectoryWhosePathIsTooLongForSunPath() throws Exception {
        final Path deep = Files.createDirectories(directory.resolve("d".repeat(60)).resolve("e".repeat(60)));
        final MailslotTransport transport = transport(deep, -1);
        final Frames.Validating listener = new Frames.Validating();
        final Inbox inbox = transport.openInbox(2, listener);
        assertTrue(inbox.address().length() > LinuxSocketConstants.SUN_PATH_LENGTH, inbox.address());
        assertTrue(Files.exists(Paths.get(inbox.address()), LinkOption.NOFOLLOW_LINKS), "bound in place");
        final Outlet outlet = transport.openOutlet(2, inbox.address());
        final ByteBuf frame = Frames.frame(300);
        final byte[] expected = Frames.bytes(frame);
        assertEquals(Outlet.SENT, send(outlet, frame, 0));
        assertArrayEquals(expected, poll(listener));
        inbox.close();
        assertFalse(Files.exists(Paths.get(inbox.address()), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldRefuseASecondInboxForTheSameNode() {
        final MailslotTransport transport = transport();
        transport.openInbox(3, new Frames.Validating());
        final BusException ex = assertThrows(BusException.class, () -> transport.openInbox(3,
            new Frames.Validating()));
        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
    }

    @Test
    void shouldCloseTheInboxPromptlyAndRemoveItsFile() throws Exception {
        final MailslotTransport transport = transport();
        final Inbox inbox = transport.openInbox(4, new Frames.Validating());
        Thread.sleep(50); // the receive thread is blocked in recv
        final long start = System.nanoTime();
        inbox.close();
        final long took = System.nanoTime() - start;
        assertTrue(took < TimeUnit.MILLISECONDS.toNanos(PosixDatagramReceiver.RECEIVE_TIMEOUT_MILLIS),
            "woken by shutdown, not by the receive timeout: " + took);
        assertFalse(Files.exists(Paths.get(inbox.address()), LinkOption.NOFOLLOW_LINKS));
        inbox.close(); // idempotent
    }

    @Test
    void shouldCloseTheInboxFromItsOwnListener() throws Exception {
        final MailslotTransport transport = transport();
        final Inbox[] self = new Inbox[1];
        final CountDownLatch closed = new CountDownLatch(1);
        self[0] = transport.openInbox(5, frame -> {
            self[0].close();
            closed.countDown();
        });
        final Outlet outlet = transport.openOutlet(5, self[0].address());
        assertEquals(Outlet.SENT, send(outlet, Frames.frame(100), 0));
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(Paths.get(self[0].address()), LinkOption.NOFOLLOW_LINKS)) {
            assertTrue(System.nanoTime() < deadline, "socket file removed after the listener returned");
            Thread.sleep(10);
        }
    }

    @Test
    void shouldReclaimTheSocketFileOfAKilledChild() throws Exception {
        final MailslotTransport transport = transport();
        final long nodeId = NodeIds.next();
        try (ChildJvm child = ChildJvm.start(MailslotInboxChild.class, List.of(), directory.toString(),
            NodeIds.format(nodeId))) {
            final String address = child.awaitLine("READY", Duration.ofSeconds(20)).substring("READY ".length());
            final Outlet outlet = transport.openOutlet(nodeId, address);
            for (int i = 0; i < 5; i++) {
                assertEquals(Outlet.SENT, send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(5)));
            }
            // SENT means queued in the child's socket; its receive thread may still be reading: ask until it has.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String count;
            do {
                child.send("count");
                count = child.awaitLine("COUNT", Duration.ofSeconds(20));
                if (!"COUNT 5".equals(count)) {
                    Thread.sleep(20);
                }
            } while (!"COUNT 5".equals(count) && System.nanoTime() < deadline);
            assertEquals("COUNT 5", count);
            child.kill();
            assertEquals(Outlet.PEER_GONE, send(outlet, Frames.frame(100), TimeUnit.SECONDS.toNanos(1)),
                "a killed peer shows at once");
            outlet.close();
            final Path path = Paths.get(address);
            assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "kill -9 leaves the socket file");
            final InboxUnavailableException refused = assertThrows(InboxUnavailableException.class,
                () -> transport.openOutlet(nodeId, address));
            assertEquals(LinuxSocketConstants.ECONNREFUSED, ((NativeCallException) refused.getCause()).code());
            transport.reclaim(nodeId, address);
            assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "reclaimed");
            transport.reclaim(nodeId, address); // idempotent
        }
    }

    @Test
    void shouldRefuseToReclaimAForeignPath() throws Exception {
        final MailslotTransport transport = transport();
        final Path foreign = Files.createFile(base.resolve("victim.txt"));
        transport.reclaim(7, foreign.toString());
        assertTrue(Files.exists(foreign), "left alone");
        final Path notASocket = Files.createFile(directory.resolve(NodeIds.format(7) + ".sock"));
        transport.reclaim(7, notASocket.toString());
        assertTrue(Files.exists(notASocket), "a regular file is not a socket: left alone");
        Files.delete(notASocket);
        assertEquals(2, errors.size(), errors.toString());
    }

    private final CountDownLatch entered = new CountDownLatch(1);

    /** A listener that blocks in its first call until {@code release}. */
    private dev.ipcbus.spi.FrameListener stalled(final CountDownLatch release) {
        return frame -> {
            entered.countDown();
            await(release);
        };
    }

    /** Sends one frame and waits until the stalled listener holds it, so the queue can only fill from here. */
    private void stall(final Outlet outlet) throws InterruptedException {
        assertEquals(Outlet.SENT, send(outlet, Frames.frame(100), 0));
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the receive thread holds the first frame");
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
