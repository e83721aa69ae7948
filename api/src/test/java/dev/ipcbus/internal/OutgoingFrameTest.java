// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.frame.FrameFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutgoingFrameTest {
    private static final long SENDER = 0x0102030405060708L;
    private static final long TIMESTAMP = 0x1112131415161718L;

    private final TrafficCounters.Cell cell = new TrafficCounters.Cell();

    @Test
    void shouldWriteInPlaceTheSameBytesAsTheGeneralEncoder() {
        final byte[] topic = "orders.eu.created".getBytes(StandardCharsets.UTF_8);
        final ByteBuf payload = Unpooled.wrappedBuffer("payload bytes of odd length".getBytes(StandardCharsets.UTF_8));
        final ByteBuf expected = Unpooled.buffer();
        FrameEncoder.begin(expected, TYPE_PUBLISH, 0, CONTENT_TYPE_RAW, SENDER, 0, 0, TIMESTAMP, topic, Map.of());
        expected.writeBytes(payload.duplicate());

        final OutgoingFrame frame = new OutgoingFrame(cell, false);
        assertTrue(frame.acquire());
        final long length = frame.rawPublish(new OutgoingTopic("orders.eu.created", topic, SENDER, true), TIMESTAMP,
            payload);
        assertEquals(expected.readableBytes(), length);
        assertTrue(frame.isRaw());

        final ByteBuf shared = Unpooled.buffer(200).writeZero(200);
        frame.writeFrame(shared, 13);
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(shared, 13, (int)length));
        assertEquals(0, shared.getByte(12));
        assertEquals(0, shared.getByte(13 + (int)length));
        assertEquals(0, shared.readerIndex());
        assertEquals(200, shared.writerIndex());
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(frame.encoded()));
        assertEquals(0, payload.readerIndex());

        final FrameFlyweight flyweight = new FrameFlyweight().wrap(frame.encoded());
        assertEquals(TIMESTAMP, flyweight.timestamp());
        assertEquals(SENDER, flyweight.sender());
        frame.release();
    }

    @Test
    void shouldLeaveTheTimestampOutWhenNotStamped() {
        final byte[] topic = "a.b".getBytes(StandardCharsets.UTF_8);
        final OutgoingFrame frame = new OutgoingFrame(cell, false);
        frame.acquire();
        final long length = frame.rawPublish(new OutgoingTopic("a.b", topic, SENDER, false), 0,
            Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertEquals(FIXED_LENGTH + 3 + 3, length, "no timestamp field");
        final FrameFlyweight flyweight = new FrameFlyweight().wrap(frame.encoded());
        assertEquals(0, flyweight.timestamp());
        assertEquals(0, flyweight.flags());
        assertEquals(3, flyweight.payloadLength());
        frame.release();
    }

    @Test
    void shouldRefuseASecondAcquireUntilReleased() {
        final OutgoingFrame frame = new OutgoingFrame(cell, false);
        assertTrue(frame.acquire());
        assertFalse(frame.acquire());
        frame.release();
        assertTrue(frame.acquire());
        frame.release();
    }

    @Test
    void shouldRememberTheLastTopicByIdentity() {
        final OutgoingFrame frame = new OutgoingFrame(cell, false);
        final String topic = "x.y";
        final OutgoingTopic outgoing = new OutgoingTopic(topic, topic.getBytes(StandardCharsets.UTF_8), SENDER,
            true);
        frame.lastTopic(topic, outgoing);
        assertEquals(outgoing, frame.lastTopic(topic));
        assertEquals(null, frame.lastTopic(new String("x.y".toCharArray())));
    }
}
