// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A caller without Netty publishes a {@link ByteBuffer}; its remaining bytes arrive and its position stays. */
class RawByteBufferPublishTest {
    @Test
    void remainingBytesArriveAndThePositionStays() throws Exception {
        final BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        try (Bus bus = Bus.open("inproc://raw-byte-buffer")) {
            bus.subscribeRaw("raw.>", (payload, context) ->
                received.add(new String(ByteBufUtil.getBytes(payload), StandardCharsets.UTF_8)));
            final ByteBuffer buffer = ByteBuffer.wrap("skip:payload".getBytes(StandardCharsets.UTF_8));
            buffer.position(5);
            bus.publishRaw("raw.bytes", buffer);
            assertEquals("payload", received.poll(10, TimeUnit.SECONDS));
            assertEquals(5, buffer.position());
        }
    }
}
