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
 * Holds the encoder and the flyweight to the byte-by-byte example in docs/PROTOCOL.md ("A frame, byte by byte"), the
 * dump a client in another language is written against. The expected bytes are read from the document itself.
 */
class FrameGoldenBytesTest {
    private static final long SENDER = 0x1122334455667788L;
    private static final long DESTINATION = 0x0102030405060708L;
    private static final long CORRELATION_ID = 42;
    private static final long TIMESTAMP = 1_700_000_000_123_456_789L;
    private static final String TOPIC = "shop.orders";
    private static final Map<String, String> HEADERS = Map.of("trace", "abc");
    private static final byte[] PAYLOAD = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);

    @Test
    void encoderWritesTheDocumentedBytes() throws IOException {
        assertEquals(ByteBufUtil.hexDump(documentedFrame()), ByteBufUtil.hexDump(encodeExample()));
    }

    @Test
    void flyweightReadsTheDocumentedBytes() throws IOException {
        final FrameFlyweight frame = new FrameFlyweight().wrap(Unpooled.wrappedBuffer(documentedFrame()));
        assertEquals(TYPE_REQUEST, frame.type());
        assertEquals(0, frame.flags());
        assertEquals(CONTENT_TYPE_JSON, frame.contentType());
        assertEquals(89, frame.frameLength());
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
        final byte[] bytes = documentedFrame();
        bytes[MAJOR_VERSION_OFFSET] = MAJOR_VERSION + 1;
        final ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        assertThrows(IncompatibleVersionException.class, () -> new FrameFlyweight().wrap(frame));
    }

    private static ByteBuf encodeExample() {
        final ByteBuf out = Unpooled.buffer();
        final int start = FrameEncoder.begin(out, TYPE_REQUEST, 0, CONTENT_TYPE_JSON, SENDER, DESTINATION,
            CORRELATION_ID, TIMESTAMP, FrameEncoder.utf8(TOPIC), HEADERS);
        out.writeBytes(PAYLOAD);
        FrameEncoder.finish(out, start);
        return out;
    }

    /** The hex columns of the dump between the golden-frame markers of docs/PROTOCOL.md. */
    private static byte[] documentedFrame() throws IOException {
        final String doc = Files.readString(Path.of("..", "docs", "PROTOCOL.md"));
        final String block = doc.substring(doc.indexOf("<!-- golden-frame:begin -->"),
            doc.indexOf("<!-- golden-frame:end -->"));
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
