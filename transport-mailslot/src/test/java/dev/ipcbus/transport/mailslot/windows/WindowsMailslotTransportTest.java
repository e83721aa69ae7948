// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.BusException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.platform.windows.FakeWin32;
import dev.ipcbus.platform.windows.WinError;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.mailslot.core.MailslotInbox;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows layer, run off Windows through the one fake {@link FakeWin32}: the same receive loop, outlet and error
 * mapping that run on Windows, against the documented Win32 behaviour.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WindowsMailslotTransportTest {
    private static final int MAX = 4096;

    private final FakeWin32 api = new FakeWin32();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final MailslotTransport transport = new MailslotTransport(
        new WindowsMailslotPlatform(api, "shop", MAX), node -> true, errors::add, node -> InboxCounters.inMemory());
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        transport.close();
        assertEquals(0, api.openHandles(), "every handle closed");
        assertTrue(api.mailslots().isEmpty(), "every slot gone");
    }

    private Inbox openCollecting(final long nodeId) {
        return transport.openInbox(nodeId, frame -> {
            final byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            received.add(bytes);
        });
    }

    private byte[] next() throws InterruptedException {
        final byte[] frame = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(frame, "nothing received within 5 s");
        return frame;
    }

    @Test
    void shouldCreateTheSlotForTheCurrentUserWithTheFrameLimit() {
        final Inbox inbox = openCollecting(0xABCL);
        assertEquals("\\\\.\\mailslot\\ipcbus\\shop\\0000000000000abc", inbox.address());
        final FakeWin32.Created created = api.created.get(0);
        assertEquals("CreateMailslotW", created.function());
        assertEquals(MAX, created.size());
        assertEquals("D:P(A;;GA;;;" + FakeWin32.USER_SID + ")", api.mailslotSddl(inbox.address()));
        assertEquals(WindowsDatagramReceiver.READ_TIMEOUT_MILLIS, created.mode());
        assertEquals(0, api.liveDescriptors(), "the descriptor is freed after CreateMailslotW");
    }

    @Test
    void shouldReportAFailedDescriptorBuildWithoutCreatingTheSlot() {
        api.failNext("ConvertStringSecurityDescriptorToSecurityDescriptorW", WinError.ERROR_INVALID_PARAMETER, 1);
        final NativeCallException ex = assertThrows(NativeCallException.class, () -> openCollecting(7));
        assertEquals("ConvertStringSecurityDescriptorToSecurityDescriptorW", ex.function());
        assertTrue(api.created.isEmpty(), api.created.toString());
    }

    @Test
    void shouldTreatAnUnknownWriteFailureAsAnErrorNeverAsSent() throws Exception {
        final Inbox inbox = openCollecting(8);
        final Outlet outlet = transport.openOutlet(8, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        try {
            api.failNext("WriteFile", 1234, 1);
            final NativeCallException ex = assertThrows(NativeCallException.class, () -> outlet.offer(frame, 0));
            assertEquals("WriteFile", ex.function());
            assertEquals(1234, ex.code());
            for (final int full : new int[] {WinError.ERROR_NOT_ENOUGH_QUOTA, WinError.ERROR_NO_SYSTEM_RESOURCES,
                WinError.ERROR_NOT_ENOUGH_MEMORY}) {
                api.failNext("WriteFile", full, 1);
                assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, 0), "code " + full);
            }
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldCarryOneMessagePerFrameUpToTheMaximumAndRefuseOneByteMore() throws Exception {
        final Inbox inbox = openCollecting(1);
        final Outlet outlet = transport.openOutlet(1, inbox.address());
        for (final int size : new int[] {1, 56, 1000, MAX - 1, MAX}) {
            final byte[] bytes = new byte[size];
            ThreadLocalRandom.current().nextBytes(bytes);
            final ByteBuf frame = Unpooled.wrappedBuffer(bytes);
            assertEquals(Outlet.SENT, outlet.offer(frame, 0));
            frame.release();
            assertArrayEquals(bytes, next(), "size " + size);
        }
        final ByteBuf tooLarge = Unpooled.directBuffer(MAX + 1).writeZero(MAX + 1);
        try {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> outlet.offer(tooLarge, 0));
            assertTrue(ex.getMessage().contains("maxFrameLength=" + MAX), ex.getMessage());
        } finally {
            tooLarge.release();
        }
    }

    @Test
    void shouldRefuseANameAlreadyTaken() {
        final long squatter = api.CreateMailslotW(WindowsMailslotName.of("shop", 5), 0, 0, null);
        try {
            final BusException ex = assertThrows(BusException.class, () -> openCollecting(5));
            assertTrue(ex.getMessage().contains("already taken"), ex.getMessage());
            assertEquals(WinError.ERROR_ALREADY_EXISTS, ((NativeCallException)ex.getCause()).code());
        } finally {
            api.CloseHandle(squatter);
        }
    }

    @Test
    void shouldFailToOpenAnOutletToAMissingSlot() {
        final InboxUnavailableException ex = assertThrows(InboxUnavailableException.class,
            () -> transport.openOutlet(9, WindowsMailslotName.of("shop", 9)));
        assertEquals(WinError.ERROR_FILE_NOT_FOUND, ((NativeCallException) ex.getCause()).code());
    }

    @Test
    void shouldReturnPeerGoneOnceTheSlotIsClosed() throws Exception {
        final Inbox inbox = openCollecting(2);
        final Outlet outlet = transport.openOutlet(2, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        try {
            assertEquals(Outlet.SENT, outlet.offer(frame, 0));
            next();
            inbox.close();
            assertEquals(Outlet.PEER_GONE, outlet.offer(frame, TimeUnit.SECONDS.toNanos(1)));
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldReportBackPressureWhenTheKernelRefusesMoreMessages() throws Exception {
        api.mailslotQuota(3);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final Inbox inbox = transport.openInbox(3, frame -> {
            entered.countDown();
            await(release);
        });
        final Outlet outlet = transport.openOutlet(3, inbox.address());
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[64]);
        try {
            assertEquals(Outlet.SENT, outlet.offer(frame, 0));
            assertTrue(entered.await(5, TimeUnit.SECONDS), "the reader holds the first message");
            int sent = 0;
            while (outlet.offer(frame, 0) == Outlet.SENT) {
                sent++;
                assertTrue(sent < 10, "quota never reached");
            }
            final long start = System.nanoTime();
            assertEquals(Outlet.BACK_PRESSURED, outlet.offer(frame, TimeUnit.MILLISECONDS.toNanos(100)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            release.countDown();
            assertEquals(Outlet.SENT, outlet.offer(frame, TimeUnit.SECONDS.toNanos(5)), "room again once read");
        } finally {
            release.countDown();
            frame.release();
        }
    }

    @Test
    void shouldDropOversizeAndEmptyMessagesAndKeepReceiving() throws Exception {
        final Inbox inbox = openCollecting(4);
        api.injectMailslotMessage(inbox.address(), new byte[MAX + 1]);
        api.injectMailslotMessage(inbox.address(), new byte[3 * MAX]);
        api.injectMailslotMessage(inbox.address(), new byte[0]);
        api.injectMailslotMessage(inbox.address(), new byte[] {7});
        assertArrayEquals(new byte[] {7}, next());
        final MailslotInbox mailslotInbox = (MailslotInbox)inbox;
        assertEquals(2, mailslotInbox.counters().oversizeDropped());
        assertEquals(1, mailslotInbox.counters().zeroLengthDropped());
        assertEquals(2, errors.size(), "one report per kind: " + errors);
    }

    @Test
    void shouldWakeTheReaderPromptlyOnClose() {
        final Inbox inbox = openCollecting(6);
        final long start = System.nanoTime();
        inbox.close();
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(WindowsDatagramReceiver
            .READ_TIMEOUT_MILLIS * 4L), "closed within a few read timeouts");
        assertTrue(api.mailslots().isEmpty(), "slot gone");
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
