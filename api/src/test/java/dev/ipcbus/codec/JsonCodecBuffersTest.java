// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipcbus.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codec over the buffers the bus hands it: direct, sliced, composite, shared with other frames. */
class JsonCodecBuffersTest {
    private static final JsonCodec CODEC = new JsonCodec(JsonCodec.defaultMapper());

    record Quote(long sentNanos, long seq, String symbol, double price) {
    }

    record Inner(String text) {
    }

    /** A value whose serialization fails after its first property is written. */
    public static final class Failing {
        public String getA() {
            return "written";
        }

        public String getB() {
            throw new IllegalStateException("boom");
        }
    }

    /** A value whose serialization encodes another message with the same codec on the same thread. */
    public static final class Nesting {
        public String getInner() {
            return new String(CODEC.encode(new Inner("in"), "nested"), StandardCharsets.UTF_8);
        }
    }

    private static final Quote QUOTE = new Quote(123_456_789L, 42, "EURUSD", 1.0842);

    private static String text(final ByteBuf buffer, final int from, final int to) {
        return buffer.toString(from, to - from, StandardCharsets.UTF_8);
    }

    private static Quote decode(final ByteBuf in) {
        return CODEC.decode(in, CODEC.type(Quote.class), "t");
    }

    @Test
    void encodesAtTheWriterIndexWithNothingBetweenConsecutiveValues() {
        final ByteBuf out = Unpooled.directBuffer(16);
        try {
            out.writeZero(7);
            final int written = CODEC.encode(QUOTE, out, "t");
            assertEquals(out.writerIndex() - 7, written);
            final int first = out.writerIndex();
            CODEC.encode(new Quote(1, 2, "X", 3.5), out, "t");
            assertEquals("{\"sentNanos\":123456789,\"seq\":42,\"symbol\":\"EURUSD\",\"price\":1.0842}",
                text(out, 7, first));
            assertEquals("{\"sentNanos\":1,\"seq\":2,\"symbol\":\"X\",\"price\":3.5}",
                text(out, first, out.writerIndex()));
            assertEquals(0, out.getByte(6));
        } finally {
            out.release();
        }
    }

    @Test
    void decodesASliceOfDirectMemoryWithANonZeroReaderIndex() {
        final ByteBuf frame = Unpooled.directBuffer(256);
        try {
            frame.writeZero(40);
            CODEC.encode(QUOTE, frame, "t");
            frame.writeBytes("trailing bytes of the next frame".getBytes(StandardCharsets.UTF_8));
            final int length = frame.writerIndex() - 40 - 32;
            final ByteBuf slice = frame.slice(30, length + 10);
            slice.readerIndex(10);
            assertFalse(slice.hasArray());
            assertEquals(QUOTE, decode(slice));
            assertEquals(10, slice.readerIndex(), "indexes left unchanged");
        } finally {
            frame.release();
        }
    }

    @Test
    void decodesAHeapSliceWithAnArrayOffset() {
        final byte[] json = CODEC.encode(QUOTE, "t");
        final ByteBuf heap = Unpooled.buffer(json.length + 20);
        heap.writeZero(20).writeBytes(json);
        final ByteBuf slice = heap.slice(5, json.length + 15);
        slice.readerIndex(15);
        assertTrue(slice.hasArray());
        assertEquals(QUOTE, decode(slice));
    }

    @Test
    void decodesACompositeBufferAcrossComponents() {
        final byte[] json = CODEC.encode(QUOTE, "t");
        final CompositeByteBuf composite = Unpooled.compositeBuffer();
        try {
            composite.addComponent(true, Unpooled.directBuffer(10).writeBytes(json, 0, 10));
            composite.addComponent(true, Unpooled.wrappedBuffer(json, 10, json.length - 10));
            assertEquals(QUOTE, decode(composite));
        } finally {
            composite.release();
        }
    }

    @Test
    void largePayloadsGoThroughTheGeneratorAndTheDecodeArray() {
        final StringBuilder symbol = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            symbol.append((char) ('a' + i % 26)).append('\u00e9');
        }
        final Quote big = new Quote(1, 2, symbol.toString(), 0.5);
        final ByteBuf out = Unpooled.directBuffer(64);
        try {
            CODEC.encode(big, out, "t");
            assertTrue(out.readableBytes() > 15_000, "larger than Jackson's output buffer");
            assertEquals(big, decode(out));
            out.clear();
            CODEC.encode(QUOTE, out, "t");
            assertEquals(QUOTE, decode(out), "a smaller payload after a larger one");
        } finally {
            out.release();
        }
    }

    @Test
    void aFailedEncodeRestoresTheWriterIndexAndTheNextEncodeIsClean() {
        final ByteBuf out = Unpooled.directBuffer(64);
        try {
            out.writeByte('x');
            final CodecException error = assertThrows(CodecException.class,
                () -> CODEC.encode(new Failing(), out, "t"));
            assertTrue(error.getMessage().contains("boom"), error.getMessage());
            assertEquals(1, out.writerIndex());
            CODEC.encode(QUOTE, out, "t");
            assertEquals(QUOTE, decode(out.skipBytes(1)));
        } finally {
            out.release();
        }
    }

    @Test
    void aValueTooLargeForAFixedViewFailsAndLeavesTheViewAsItWas() {
        final ByteBuf record = Unpooled.directBuffer(64);
        try {
            final ByteBuf view = record.slice(8, 32).clear(); // a fixed-capacity view, as over a claimed record
            view.writeByte('x');
            assertThrows(CodecException.class, () -> CODEC.encode(QUOTE, view, "t"));
            assertEquals(1, view.writerIndex());
            assertEquals(12, CODEC.encode(new Inner("a"), view, "t"));
            assertEquals(new Inner("a"), CODEC.decode(view.skipBytes(1), CODEC.type(Inner.class), "t"));
        } finally {
            record.release();
        }
    }

    @Test
    void aNestedEncodeOnTheSameThreadDoesNotShareTheGenerator() {
        final ByteBuf out = Unpooled.directBuffer(64);
        try {
            CODEC.encode(new Nesting(), out, "t");
            assertEquals("{\"inner\":\"{\\\"text\\\":\\\"in\\\"}\"}", out.toString(StandardCharsets.UTF_8));
        } finally {
            out.release();
        }
    }

    @Test
    void aForeignMessageIsRefusedFromDirectMemory() {
        final ByteBuf in = Unpooled.directBuffer(64);
        try {
            in.writeBytes("{\"number\":\"INV-7\",\"cents\":1999}".getBytes(StandardCharsets.UTF_8));
            final CodecException error = assertThrows(CodecException.class, () -> decode(in));
            assertTrue(error.getMessage().contains("properties=[number, cents]"), error.getMessage());
            assertEquals(QUOTE, decode(Unpooled.wrappedBuffer(CODEC.encode(QUOTE, "t"))), "the codec goes on");
        } finally {
            in.release();
        }
    }

    @Test
    void aPrettyPrintingMapperStillWritesOneValuePerEncode() {
        final JsonCodec pretty = new JsonCodec(JsonCodec.defaultMapper().enable(SerializationFeature.INDENT_OUTPUT));
        final ByteBuf out = Unpooled.buffer();
        pretty.encode(new Inner("a"), out, "t");
        final int first = out.writerIndex();
        pretty.encode(new Inner("b"), out, "t");
        assertEquals(text(out, 0, first), text(out, first, out.writerIndex()).replace('b', 'a'));
    }

    @Test
    void doublesReadByTheFastParserEqualTheJdksParse() {
        for (final String price : new String[] {"1.0842", "4.9E-324", "1.7976931348623157E308", "0.1", "-2.5e-3",
            "123456789.123456789", "1e23", "9007199254740993"}) {
            final Quote quote = decode(Unpooled.wrappedBuffer(("{\"price\":" + price + "}")
                .getBytes(StandardCharsets.UTF_8)));
            assertEquals(Double.parseDouble(price), quote.price(), price);
        }
    }

    @Test
    void nullAndCollectionsEncodeAsMapperWritesThem() throws Exception {
        final ByteBuf out = Unpooled.buffer();
        CODEC.encode(null, out, "t");
        CODEC.encode(List.of(1, 2), out, "t");
        assertEquals("null[1,2]", out.toString(StandardCharsets.UTF_8));
        assertSame(null, CODEC.decode(Unpooled.wrappedBuffer("null".getBytes(StandardCharsets.UTF_8)),
            CODEC.type(Quote.class), "t"));
        assertEquals(JsonCodec.defaultMapper().writeValueAsString(QUOTE), new String(CODEC.encode(QUOTE, "t"),
            StandardCharsets.UTF_8));
    }
}
