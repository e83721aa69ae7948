// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import dev.ipcbus.FrameFormatException;
import dev.ipcbus.IncompatibleVersionException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encoding round trips and the decoder's refusal of every kind of bad frame.
 */
class FrameFlyweightTest {
    private final ByteBuf buffer = Unpooled.buffer();
    private final FrameFlyweight flyweight = new FrameFlyweight();

    @AfterEach
    void release() {
        buffer.release();
    }

    private void encode(final String topic, final Map<String, String> headers, final byte[] payload) {
        FrameEncoder.begin(buffer, TYPE_REQUEST, FLAG_NO_RESPONDER, CONTENT_TYPE_JSON, 0x1122L, 0x3344L, 77L,
            123_456_789L, FrameEncoder.utf8(topic), headers);
        buffer.writeBytes(payload);
    }

    @Test
    void shouldRoundTripEveryField() {
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace", "t-1");
        headers.put("ünicode", "välue");
        encode("orders.eu", headers, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        flyweight.wrap(buffer);
        assertEquals(TYPE_REQUEST, flyweight.type());
        assertEquals(FLAG_NO_RESPONDER | FLAG_TIMESTAMP | FLAG_HEADERS, flyweight.flags());
        assertEquals(CONTENT_TYPE_JSON, flyweight.contentType());
        assertEquals(0x1122L, flyweight.sender());
        assertEquals(0x3344L, flyweight.destination());
        assertEquals(77L, flyweight.correlationId());
        assertEquals(123_456_789L, flyweight.timestamp());
        assertEquals("orders.eu", flyweight.topic());
        assertEquals(headers, flyweight.headers());
        assertEquals("{\"a\":1}", buffer.toString(flyweight.payloadOffset(), flyweight.payloadLength(),
            StandardCharsets.UTF_8));
        assertEquals(buffer.readableBytes(), flyweight.frameLength());
        assertEquals(FLAG_NO_RESPONDER | FLAG_TIMESTAMP | FLAG_HEADERS, buffer.getByte(FLAGS_OFFSET));
    }

    @Test
    void shouldLeaveOutTheFieldsAPublishDoesNotNeed() {
        FrameEncoder.begin(buffer, TYPE_PUBLISH, 0, CONTENT_TYPE_RAW, 0x1122L, 0x3344L, 77L, 0,
            FrameEncoder.utf8("orders.eu"), Map.of());
        buffer.writeBytes(new byte[] {1, 2, 3});
        assertEquals(FIXED_LENGTH + "orders.eu".length() + 3, buffer.readableBytes());
        flyweight.wrap(buffer);
        assertEquals(0, flyweight.flags());
        assertEquals(0x1122L, flyweight.sender());
        assertEquals(0, flyweight.destination(), "a publish has no destination");
        assertEquals(0, flyweight.correlationId(), "a publish has no correlation id");
        assertEquals(0, flyweight.timestamp(), "not stamped");
        assertEquals(Map.of(), flyweight.headers());
        assertEquals("orders.eu", flyweight.topic());
        assertEquals(3, flyweight.payloadLength());
    }

    @Test
    void shouldAcceptAnEmptyPayload() {
        encode("t", Map.of(), new byte[0]);
        flyweight.wrap(buffer);
        assertEquals(0, flyweight.payloadLength());
    }

    @Test
    void shouldRefuseTruncatedHeader() {
        buffer.writeByte(MAJOR_VERSION);
        buffer.writeZero(FIXED_LENGTH - 2);
        assertMessage(FrameFormatException.class, "truncated frame");
    }

    @Test
    void shouldRefuseAProtocolOneFrameByName() {
        encode("t", Map.of(), new byte[3]);
        buffer.setIntLE(0, V1_MAGIC);
        assertMessage(IncompatibleVersionException.class, "major=1 (a protocol 1 frame");
    }

    @Test
    void shouldRefuseOtherMajorVersion() {
        encode("t", Map.of(), new byte[3]);
        buffer.setByte(MAJOR_VERSION_OFFSET, 3);
        assertMessage(IncompatibleVersionException.class, "incompatible frame version: major=3");
        buffer.setByte(MAJOR_VERSION_OFFSET, 1);
        assertMessage(IncompatibleVersionException.class, "incompatible frame version: major=1");
    }

    @Test
    void shouldAcceptNewerMinorVersion() {
        encode("t", Map.of(), new byte[3]);
        buffer.setByte(MINOR_VERSION_OFFSET, 9);
        flyweight.wrap(buffer);
    }

    @Test
    void shouldRefuseUnknownType() {
        encode("t", Map.of(), new byte[3]);
        buffer.setByte(TYPE_OFFSET, 9);
        assertMessage(FrameFormatException.class, "bad frame type");
    }

    @Test
    void shouldRefuseAFrameShorterThanItsHeaderAndTopic() {
        encode("topic", Map.of(), new byte[0]);
        buffer.writerIndex(buffer.writerIndex() - 1);
        assertMessage(FrameFormatException.class, "frame shorter than its header and topic");
    }

    @Test
    void shouldRefuseAHeadersLengthBeyondTheFrame() {
        encode("topic", Map.of("k", "v"), new byte[10]);
        final int at = headersLengthOffset(TYPE_REQUEST, FLAG_TIMESTAMP | FLAG_HEADERS);
        buffer.setShortLE(at, 0xFFFF);
        assertMessage(FrameFormatException.class, "headers overrun the frame");
        buffer.setShortLE(at, buffer.readableBytes());
        assertMessage(FrameFormatException.class, "headers overrun the frame");
    }

    @Test
    void shouldRefuseEmptyOrHugeTopicLength() {
        encode("topic", Map.of(), new byte[10]);
        buffer.setByte(TOPIC_LENGTH_OFFSET, 0);
        assertMessage(FrameFormatException.class, "bad topic length");
        buffer.setByte(TOPIC_LENGTH_OFFSET, 255);
        assertMessage(FrameFormatException.class, "frame shorter than its header and topic");
    }

    @Test
    void shouldRefuseHeadersThatOverrunTheirSection() {
        encode("t", Map.of("key", "value"), new byte[2]);
        final int headers = headerLength(TYPE_REQUEST, FLAG_NO_RESPONDER | FLAG_TIMESTAMP | FLAG_HEADERS) + 1;
        buffer.setShortLE(headers + 2, 500); // key length beyond the section
        assertMessage(FrameFormatException.class, "overruns");
        buffer.setShortLE(headers + 2, 3);
        buffer.setShortLE(headers, 5); // more entries than present
        assertMessage(FrameFormatException.class, "truncated headers");
    }

    @Test
    void shouldRefuseUnknownContentType() {
        encode("t", Map.of(), new byte[2]);
        buffer.setByte(CONTENT_TYPE_OFFSET, 7);
        assertMessage(FrameFormatException.class, "bad content type");
    }

    @Test
    void shouldDecodeAValidTopic() {
        assertEquals("orders.eu.created", FrameFlyweight.decodeTopic(FrameEncoder.utf8("orders.eu.created")));
        assertEquals("ä.ö.ü", FrameFlyweight.decodeTopic("ä.ö.ü".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRefuseTopicsThatBreakTheTopicRules() {
        for (final String topic : List.of("orders.>", "orders.*", "a..b", ".a", "a.", "a b", "a\tb", "a\u0000b",
            "a\u2003b", "or>ders")) {
            final FrameFormatException ex = assertThrows(FrameFormatException.class,
                () -> FrameFlyweight.decodeTopic(topic.getBytes(StandardCharsets.UTF_8)), topic);
            assertTrue(ex.getMessage().startsWith("bad topic: "), ex.getMessage());
        }
        for (final byte[] topic : List.of(new byte[] {'a', (byte)0xC3, 0x28}, new byte[] {(byte)0xFF},
            new byte[] {'a', (byte)0xC0, (byte)0xAE}, new byte[] {(byte)0xED, (byte)0xA0, (byte)0x80},
            new byte[] {'a', (byte)0xE2, (byte)0x82})) {
            final FrameFormatException ex = assertThrows(FrameFormatException.class,
                () -> FrameFlyweight.decodeTopic(topic));
            assertTrue(ex.getMessage().startsWith("bad topic: not UTF-8: topicLength=" + topic.length),
                ex.getMessage());
        }
    }

    @Test
    void shouldOnlyThrowFormatExceptionsOnRandomMutations() {
        final Random random = new Random(42);
        encode("orders.eu.created", Map.of("k", "v"), "{\"id\":\"A\"}".getBytes(StandardCharsets.UTF_8));
        final byte[] valid = new byte[buffer.readableBytes()];
        buffer.getBytes(0, valid);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            final byte[] mutated = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
            }
            final int length = random.nextInt(10) == 0 ? random.nextInt(mutated.length + 1) : mutated.length;
            final ByteBuf candidate = Unpooled.wrappedBuffer(mutated, 0, length);
            try {
                flyweight.wrap(candidate);
                flyweight.headers();
                assertTrue(flyweight.payloadOffset() + flyweight.payloadLength() <= length);
                accepted++;
            } catch (final FrameFormatException expected) {
                // the only exception allowed
            }
        }
        assertTrue(accepted > 0, "some mutations (payload bytes) stay valid");
    }

    private void assertMessage(final Class<? extends FrameFormatException> type, final String text) {
        final FrameFormatException ex = assertThrows(type, () -> flyweight.wrap(buffer));
        assertTrue(ex.getMessage().contains(text), ex.getMessage());
    }
}
