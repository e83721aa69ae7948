// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import dev.ipcbus.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonCodecTest {
    private final JsonCodec codec = new JsonCodec(JsonCodec.defaultMapper());

    record Order(String id, int quantity, Optional<String> note, Instant placed) {
    }

    record Invoice(String number, long cents) {
    }

    record Wrapper(Order order, List<String> tags) {
    }

    static final class Open {
        final Map<String, Object> all = new HashMap<>();

        @JsonAnySetter
        void put(final String name, final Object value) {
            all.put(name, value);
        }
    }

    private <T> T decode(final String json, final Class<T> type) {
        final ByteBuf in = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
        return codec.decode(in, codec.type(type), "shop.orders");
    }

    @Test
    void optionalAndInstantRoundTrip() {
        final Order order = new Order("o-1", 3, Optional.of("gift"), Instant.parse("2026-12-02T10:15:30Z"));
        final String json = new String(codec.encode(order, "shop.orders"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"note\":\"gift\""), json);
        assertTrue(json.contains("\"placed\":\"2026-12-02T10:15:30Z\""), json);
        assertEquals(order, decode(json, Order.class));
        assertEquals(Optional.empty(), decode("{\"id\":\"o-2\",\"note\":null}", Order.class).note());
    }

    @Test
    void newerSenderWithExtraFieldsStillDecodes() {
        final Order order = decode("{\"id\":\"o-1\",\"quantity\":2,\"currency\":\"EUR\",\"lines\":[{\"sku\":1}]}",
            Order.class);
        assertEquals("o-1", order.id());
        assertEquals(2, order.quantity());
    }

    @Test
    void messageOfAnotherTypeIsRefusedNamingBothShapes() {
        final CodecException error = assertThrows(CodecException.class,
            () -> decode("{\"number\":\"INV-7\",\"cents\":1999}", Order.class));
        final String message = error.getMessage();
        assertTrue(message.startsWith("message is not of the expected type"), message);
        assertTrue(message.contains("topic=shop.orders"), message);
        assertTrue(message.contains("JsonCodecTest$Order"), message);
        assertTrue(message.contains("properties=[number, cents]"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void unknownNestedPropertiesDoNotCountAsForeign() {
        final Wrapper wrapper = decode("{\"order\":{\"sku\":9},\"tags\":[\"a\"]}", Wrapper.class);
        assertEquals(List.of("a"), wrapper.tags());
    }

    @Test
    void emptyObjectAndAnySetterTypesAreNotRefused() {
        assertEquals(null, decode("{}", Invoice.class).number());
        assertEquals(Map.of("x", 1), decode("{\"x\":1}", Open.class).all);
    }

    @Test
    void decodeErrorsAreOneLineWithPosition() {
        final CodecException error = assertThrows(CodecException.class,
            () -> decode("{\"id\":\"o-1\",\n\"quantity\":\"many\"}", Order.class));
        final String message = error.getMessage();
        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains("[Source:"), message);
        assertTrue(message.contains("(line 2, column"), message);
        assertTrue(message.startsWith("cannot deserialize message: topic=shop.orders"), message);
    }
}
