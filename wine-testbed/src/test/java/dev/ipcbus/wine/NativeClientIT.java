// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.frame.FrameFlyweight;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native sample client writes frames the core accepts ({@link FrameFlyweight} validates them) into a raw mailslot
 * and a raw message-mode pipe created through the bridge; the transports' Wine ITs then point it at real bus nodes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeClientIT {
    private static final long INVALID_HANDLE_VALUE = -1;

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @Test
    void shouldWriteAValidFrameIntoAMailslot() {
        final Win32Bridge bridge = WineSession.get().bridge();
        final String name = "\\\\.\\mailslot\\ipcbus\\native-" + Integer.toHexString(ThreadLocalRandom.current()
            .nextInt());
        final long slot = bridge.call("CreateMailslotW", new long[] {0, 0}, Win32Bridge.wide(name), new byte[0])
            .value();
        assertTrue(slot != INVALID_HANDLE_VALUE);
        try {
            final WineSession.ProgramResult result = NativeClient.build(WineSession.get()).publishToMailslot(name,
                "native.hello", "\"hi from C\"");
            assertEquals(0, result.exitCode(), result.toString());
            final BridgeReply info = bridge.call("GetMailslotInfo", slot);
            final BridgeReply read = bridge.call("ReadFile", slot, info.out(1));
            assertTrue(read.ok());
            checkFrame(read.bytes(0), "native.hello", "\"hi from C\"");
        } finally {
            bridge.call("CloseHandle", slot);
        }
    }

    @Test
    void shouldSendTheHelloThenTheFrameAsMessagesIntoAPipe() throws Exception {
        final Win32Bridge bridge = WineSession.get().bridge();
        final String name = "\\\\.\\pipe\\ipcbus-native-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        final long pipe = bridge.call("CreateNamedPipeW", new long[] {3, 4 | 2 | 8, 1, 0, 4096, 0},
            Win32Bridge.wide(name), new byte[0]).value();
        assertTrue(pipe != INVALID_HANDLE_VALUE);
        try {
            final CompletableFuture<WineSession.ProgramResult> client = CompletableFuture.supplyAsync(() ->
                NativeClient.build(WineSession.get()).publishToPipe(name, 0x1234_5678_9abc_def0L, "native.pipe",
                    "{\"n\":1}"));
            final BridgeReply connected = bridge.call("ConnectNamedPipe", pipe);
            assertTrue(connected.ok() || connected.lastError() == 535, "error=" + connected.lastError());
            final BridgeReply hello = bridge.call("ReadFile", pipe, 4096);
            assertTrue(hello.ok());
            assertEquals(16, hello.out(0));
            final io.netty.buffer.ByteBuf helloBytes = Unpooled.wrappedBuffer(hello.bytes(0));
            assertEquals(0x50435049, helloBytes.getIntLE(0));
            assertEquals(1, helloBytes.getByte(4));
            assertEquals(0x1234_5678_9abc_def0L, helloBytes.getLongLE(8));
            final BridgeReply frame = bridge.call("ReadFile", pipe, 4096);
            assertTrue(frame.ok());
            checkFrame(frame.bytes(0), "native.pipe", "{\"n\":1}");
            assertEquals(0, client.get(60, TimeUnit.SECONDS).exitCode());
        } finally {
            bridge.call("CloseHandle", pipe);
        }
    }

    private static void checkFrame(final byte[] bytes, final String topic, final String json) {
        final FrameFlyweight frame = new FrameFlyweight().wrap(Unpooled.wrappedBuffer(bytes));
        assertEquals(FrameDescriptor.TYPE_PUBLISH, frame.type());
        assertEquals(topic, frame.topic());
        assertEquals(NativeClient.SENDER_NODE_ID, frame.sender());
        assertEquals(json, new String(bytes, frame.payloadOffset(), frame.payloadLength(), StandardCharsets.UTF_8));
        final long age = System.currentTimeMillis() * 1_000_000L - frame.timestamp();
        assertTrue(Math.abs(age) < 120_000_000_000L, "timestamp in nanoseconds since the epoch: " + frame.timestamp());
    }
}
