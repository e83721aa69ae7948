// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.mailslot.core.MailslotSizing;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Constants;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.wine.BridgeWin32;
import dev.ipcbus.wine.NativeClient;
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

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows mailslot layer against Wine's real mailslots: one reader per name across processes
 * ({@code ERROR_ALREADY_EXISTS} from another Wine process), reads sized by {@code GetMailslotInfo} for every size up to
 * the maximum, an oversize datagram from a raw writer reported and skipped, a prompt close of a blocked reader, the
 * current-user descriptor read back, and a native C client publishing into a bus node's slot.
 * <p>
 * This JVM's side (the node under test, its inbox, its outlets, the security read-back) runs the production binding,
 * {@link WindowsPlatform#win32()}, through the Wine shim ({@link WineWindowsLayer}). {@link BridgeWin32} and raw
 * {@link Win32Bridge} processes stand only for <em>other</em> Windows processes: a second reader taking the name, a
 * raw writer sending an oversize datagram.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(WineWindowsLayer.class) // the shim, and -Dipcbus.platform=windows for Bus.open
class WindowsMailslotOnWineIT {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final String bus = "wine-ms-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);

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
    void shouldRefuseASecondReaderOfOneNameFromAnotherProcess() {
        final MailslotTransport first = transport();
        // The second reader is another Windows process taking the same name: a bridge process, BridgeWin32's one role.
        final Win32Bridge other = WineSession.get().newBridge("second-reader");
        resources.add(other);
        final MailslotTransport second = transportIn(other);
        final long node = 0x77;
        resources.add(first.openInbox(node, frame -> { }));
        final BusException taken = assertThrows(BusException.class, () -> second.openInbox(node, frame -> { }));
        assertTrue(taken.getMessage().contains("already taken"), taken.getMessage());
    }

    @Test
    void shouldSizeEveryReadWithGetMailslotInfoUpToTheMaximum() throws Exception {
        final MailslotTransport reader = transport();
        final MailslotTransport writer = transport();
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final long node = 0x78;
        final Inbox inbox = reader.openInbox(node, frame -> {
            final byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            received.add(copy);
        });
        resources.add(inbox);
        final Outlet outlet = writer.openOutlet(node, inbox.address());
        resources.add(outlet);
        final int max = reader.maxFrameLength();
        assertEquals(MailslotSizing.DEFAULT_MAX_FRAME_LENGTH, max);
        final int[] sizes = {57, 58, 1000, 4095, 4096, 4097, 65_000, max - 1, max};
        for (final int size : sizes) {
            assertEquals(Outlet.SENT, outlet.offer(Unpooled.wrappedBuffer(bytes(size)), TimeUnit.SECONDS.toNanos(5)));
        }
        for (final int size : sizes) {
            final byte[] got = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "frame of " + size + " bytes");
            assertArrayEquals(bytes(size), got);
        }
        assertThrows(IllegalArgumentException.class, () -> outlet.offer(Unpooled.wrappedBuffer(bytes(max + 1)), 0));
    }

    @Test
    void shouldReportAnOversizeDatagramFromARawWriterAndKeepServing() throws Exception {
        final MailslotTransport reader = transport();
        final LinkedBlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        final long node = 0x79;
        final Inbox inbox = reader.openInbox(node, frame -> received.add(frame.readableBytes()));
        resources.add(inbox);
        // A foreign raw writer in another Windows process: raw bridge calls (no outlet would send an oversize frame).
        final Win32Bridge raw = WineSession.get().newBridge("raw-writer");
        resources.add(raw);
        final long writer = raw.call("CreateFileW", new long[] {Win32Constants.GENERIC_WRITE,
            Win32Constants.FILE_SHARE_READ | Win32Constants.FILE_SHARE_WRITE, Win32Constants.OPEN_EXISTING,
            Win32Constants.FILE_ATTRIBUTE_NORMAL}, Win32Bridge.wide(inbox.address())).value();
        assertTrue(writer != -1, "error=" + raw.lastError());
        // Wine does not enforce nMaxMessageSize, so the oversize datagram reaches the reader, which must size its read
        // to it (Wine would truncate a short read) and drop it.
        assertTrue(raw.call("WriteFile", new long[] {writer}, bytes(reader.maxFrameLength() + 100)).ok());
        assertTrue(raw.call("WriteFile", new long[] {writer}, bytes(300)).ok());
        assertEquals(300, received.poll(10, TimeUnit.SECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (errors.stream().noneMatch(e -> e instanceof FrameFormatException) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(errors.stream().anyMatch(e -> e instanceof FrameFormatException), "oversize reported: " + errors);
        raw.call("CloseHandle", writer);
    }

    @Test
    void shouldCloseAnInboxBlockedInReadFilePromptly() {
        final MailslotTransport reader = transport();
        final Inbox inbox = reader.openInbox(0x7a, frame -> { });
        final long start = System.nanoTime();
        inbox.close();
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5_000, "close took " + millis + " ms");
        assertTrue(errors.isEmpty(), errors.toString());
    }

    /** The security read-back the pipe, mapping and event have: through the production binding and the shim. */
    @Test
    void shouldCreateTheSlotWithTheCurrentUserOnlyDescriptor() {
        final Win32 production = WindowsPlatform.win32();
        final long[] created = new long[1];
        final Win32 recording = (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {
            Win32.class}, (proxy, method, args) -> {
                try {
                    final Object result = method.invoke(production, args);
                    if (method.getName().equals("CreateMailslotW")) {
                        created[0] = (Long) result;
                    }
                    return result;
                } catch (final InvocationTargetException ex) {
                    throw ex.getCause();
                }
            });
        final MailslotTransport transport = new MailslotTransport(new WindowsMailslotPlatform(recording, bus, -1),
            id -> true, errors::add, id -> InboxCounters.inMemory());
        resources.add(transport);
        resources.add(transport.openInbox(0x79, frame -> { }));
        assertTrue(created[0] != 0 && created[0] != -1, "the inbox created its slot: " + created[0]);
        final String dacl = WineShim.daclOf(created[0]);
        final String sid = CurrentUserSecurity.currentUserSid(production);
        assertTrue(dacl.startsWith("D:P"), dacl);
        assertTrue(dacl.contains(sid), "an entry for the current user: " + dacl);
        assertFalse(dacl.contains(";WD)"), "no entry for Everyone: " + dacl);
        assertFalse(dacl.contains(";AN)"), "no entry for Anonymous: " + dacl);
    }

    @Test
    void shouldReceiveAFrameFromANativeClient() throws Exception {
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Bus node = Bus.open(BusConfig.builder().uri("mailslot://" + bus)
            .errorHandler(errors::add).build());
        resources.add(node);
        node.subscribe("native.>", String.class, (message, context) -> received.add(context.topic() + " " + message));
        final String slot = WindowsMailslotName.of(bus, NodeIds.parse(node.nodeId()));
        final WineSession.ProgramResult result = NativeClient.build(WineSession.get()).publishToMailslot(slot,
            "native.mailslot", "\"hello from C\"");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("native.mailslot hello from C", received.poll(20, TimeUnit.SECONDS), "errors=" + errors);
    }

    /** A transport of this JVM's Windows process, on the production binding. */
    private MailslotTransport transport() {
        final MailslotTransport transport = new MailslotTransport(new WindowsMailslotPlatform(
            WindowsPlatform.win32(), bus, -1), id -> true, errors::add, id -> InboxCounters.inMemory());
        resources.add(transport);
        return transport;
    }

    /** A transport of another Windows process (one that takes a name this JVM holds): {@link BridgeWin32}. */
    private MailslotTransport transportIn(final Win32Bridge process) {
        final MailslotTransport transport = new MailslotTransport(new WindowsMailslotPlatform(
            new BridgeWin32(process), bus, -1), id -> true, errors::add, id -> InboxCounters.inMemory());
        resources.add(transport);
        return transport;
    }

    private static byte[] bytes(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + length);
        }
        return bytes;
    }
}
