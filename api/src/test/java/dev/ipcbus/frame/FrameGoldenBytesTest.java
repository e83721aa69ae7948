// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import dev.ipcbus.IncompatibleVersionException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Holds the encoder and the flyweight to the byte-by-byte examples in docs/PROTOCOL.md ("A frame, byte by byte"): the
 * dumps a client in another language is written against. The expected bytes are read from the document itself.
 */
class FrameGoldenBytesTest {
    private static final long SENDER = 0x1122334455667788L;
    private static final long DESTINATION = 0x0102030405060708L;
    private static final long CORRELATION_ID = 42;
    private static final long TIMESTAMP = 1_700_000_000_123_456_789L;
    private static final String TOPIC = "shop.orders";
    private static final Map<String, String> HEADERS = Map.of("trace", "abc");
    private static final byte[] PAYLOAD = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
    private static final String PUBLISH_TOPIC = "bench.ping";
    private static final byte[] PUBLISH_PAYLOAD = new byte[32];

    static {
        for (int i = 0; i < PUBLISH_PAYLOAD.length; i++) {
            PUBLISH_PAYLOAD[i] = (byte)i;
        }
    }

    @Test
    void encoderWritesTheDocumentedRequest() throws IOException {
        assertEquals(ByteBufUtil.hexDump(documentedFrame("golden-frame")), ByteBufUtil.hexDump(encodeExample()));
    }

    @Test
    void encoderAndPublishTemplateWriteTheDocumentedPublish() throws IOException {
        final String expected = ByteBufUtil.hexDump(documentedFrame("golden-publish"));
        final ByteBuf out = Unpooled.buffer();
        FrameEncoder.begin(out, TYPE_PUBLISH, 0, CONTENT_TYPE_RAW, SENDER, 0, 0, 0, FrameEncoder.utf8(PUBLISH_TOPIC),
            Map.of());
        out.writeBytes(PUBLISH_PAYLOAD);
        assertEquals(expected, ByteBufUtil.hexDump(out));
        final ByteBuf fromTemplate = Unpooled.buffer().writeBytes(FrameEncoder.publishTemplate(CONTENT_TYPE_RAW, SENDER,
            false, FrameEncoder.utf8(PUBLISH_TOPIC))).writeBytes(PUBLISH_PAYLOAD);
        assertEquals(expected, ByteBufUtil.hexDump(fromTemplate));
        assertEquals(56, fromTemplate.readableBytes(), "a 32-byte publish on a 10-byte topic: 56 bytes");
    }

    @Test
    void flyweightReadsTheDocumentedPublish() throws IOException {
        final FrameFlyweight frame = new FrameFlyweight().wrap(Unpooled.wrappedBuffer(documentedFrame(
            "golden-publish")));
        assertEquals(TYPE_PUBLISH, frame.type());
        assertEquals(0, frame.flags());
        assertEquals(CONTENT_TYPE_RAW, frame.contentType());
        assertEquals(SENDER, frame.sender());
        assertEquals(0, frame.destination());
        assertEquals(0, frame.correlationId());
        assertEquals(0, frame.timestamp());
        assertEquals(PUBLISH_TOPIC, frame.topic());
        assertEquals(Map.of(), frame.headers());
        assertArrayEquals(PUBLISH_PAYLOAD, ByteBufUtil.getBytes(frame.buffer(), frame.payloadOffset(),
            frame.payloadLength()));
    }

    @Test
    void flyweightReadsTheDocumentedRequest() throws IOException {
        final FrameFlyweight frame = new FrameFlyweight().wrap(Unpooled.wrappedBuffer(documentedFrame(
            "golden-frame")));
        assertEquals(TYPE_REQUEST, frame.type());
        assertEquals(FLAG_TIMESTAMP | FLAG_HEADERS, frame.flags());
        assertEquals(CONTENT_TYPE_JSON, frame.contentType());
        assertEquals(73, frame.frameLength());
        assertEquals(SENDER, frame.sender());
        assertEquals(DESTINATION, frame.destination());
        assertEquals(CORRELATION_ID, frame.correlationId());
        assertEquals(TIMESTAMP, frame.timestamp());
        assertEquals(TOPIC, frame.topic());
        assertEquals(HEADERS, frame.headers());
        assertArrayEquals(PAYLOAD, ByteBufUtil.getBytes(frame.buffer(), frame.payloadOffset(), frame.payloadLength()));
    }

    @Test
    void anotherMajorVersionIsRefused() throws IOException {
        final byte[] bytes = documentedFrame("golden-frame");
        bytes[MAJOR_VERSION_OFFSET] = MAJOR_VERSION + 1;
        final ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
            () -> new FrameFlyweight().wrap(frame));
        assertEquals("incompatible frame version: major=3, minor=0, supported=2", ex.getMessage());
    }

    @Test
    void aProtocolOneFrameIsRefusedByName() throws IOException {
        final byte[] bytes = documentedFrame("golden-v1-frame");
        final IncompatibleVersionException ex = assertThrows(IncompatibleVersionException.class,
            () -> new FrameFlyweight().wrap(Unpooled.wrappedBuffer(bytes)));
        assertEquals("incompatible frame version: major=1 (a protocol 1 frame, magic \"IPCB\"), supported=2",
            ex.getMessage());
    }

    private static ByteBuf encodeExample() {
        final ByteBuf out = Unpooled.buffer();
        FrameEncoder.begin(out, TYPE_REQUEST, 0, CONTENT_TYPE_JSON, SENDER, DESTINATION, CORRELATION_ID, TIMESTAMP,
            FrameEncoder.utf8(TOPIC), HEADERS);
        out.writeBytes(PAYLOAD);
        return out;
    }

    /** The hex columns of the dump between the {@code <!-- marker:begin -->} and end markers of docs/PROTOCOL.md. */
    private static byte[] documentedFrame(final String marker) throws IOException {
        final String doc = Files.readString(Path.of("..", "docs", "PROTOCOL.md"));
        final String block = doc.substring(doc.indexOf("<!-- " + marker + ":begin -->"),
            doc.indexOf("<!-- " + marker + ":end -->"));
        final StringBuilder hex = new StringBuilder();
        for (final String line : block.split("\n")) {
            if (line.matches("[0-9a-f]{4}  .*")) {
                // offset, two spaces, up to 16 two-digit bytes separated by one space (47 characters), then comments
                final String bytes = line.substring(6, Math.min(line.length(), 6 + 47)).trim();
                hex.append(bytes.replace(" ", ""));
            }
        }
        return ByteBufUtil.decodeHexDump(hex);
    }
}
