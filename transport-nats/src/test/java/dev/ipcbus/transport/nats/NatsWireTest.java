// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.spi.EngineMessage;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatsWireTest {
    private static final String NODE = "0123456789abcdef";
    private static final byte[] BODY = {'{', '}'};

    @Test
    void shouldSendATypedMessageWithSenderAndTimestampButNoContentType() {
        final Headers headers = NatsWire.headers(EngineMessage.of("t", NODE, 42, true, Map.of(), BODY));
        assertNotNull(headers);
        assertEquals(2, headers.size());
        assertEquals(NODE, headers.getFirst(NatsWire.SENDER));
        assertEquals("42", headers.getFirst(NatsWire.TIMESTAMP));
        assertNull(headers.getFirst(NatsWire.CONTENT_TYPE), "absent Content-Type means JSON");
    }

    @Test
    void shouldMarkARawMessageAsOctetStream() {
        final Headers headers = NatsWire.headers(EngineMessage.of("t", NODE, 0, false, Map.of(), BODY));
        assertNotNull(headers);
        assertEquals(NatsWire.RAW, headers.getFirst(NatsWire.CONTENT_TYPE));
        assertNull(headers.getFirst(NatsWire.TIMESTAMP), "no timestamp with timestamps=false");
    }

    @Test
    void shouldSendNoHeadersWhenNothingNeedsThem() {
        assertNull(NatsWire.headers(EngineMessage.of("t", "", 0, true, Map.of(), BODY)));
        assertNull(NatsWire.replyHeaders(EngineMessage.of("t", NODE, 42, true, Map.of(), BODY)),
            "a successful JSON reply is its body only");
    }

    @Test
    void shouldSendAFailedReplyWithItsSenderAndError() {
        final Headers headers = NatsWire.replyHeaders(new EngineMessage("t", NODE, 42, true, Map.of(), new byte[0],
            "java.lang.IllegalStateException", "bad\nthing"));
        assertNotNull(headers);
        assertEquals(NODE, headers.getFirst(NatsWire.SENDER));
        assertEquals("java.lang.IllegalStateException", headers.getFirst(NatsWire.ERROR_TYPE));
        assertEquals("bad thing", headers.getFirst(NatsWire.ERROR));
    }

    @Test
    void shouldReadBackWhatItSends() {
        for (final boolean json : new boolean[] {true, false}) {
            for (final Map<String, String> application : java.util.List.of(Map.<String, String>of(),
                Map.of("trace", "abc", "tenant", "ünï"))) {
                final EngineMessage sent = EngineMessage.of("t", NODE, 42, json, application, BODY);
                final EngineMessage received = NatsWire.message("t", new NatsMessage("bus.t", null,
                    NatsWire.headers(sent), BODY));
                assertEquals(NODE, received.senderNode());
                assertEquals(42, received.timestampNanos());
                assertEquals(json, received.json());
                assertEquals(application, received.headers());
                assertArrayEquals(BODY, received.body());
                assertFalse(received.isFailure());
            }
        }
    }

    @Test
    void shouldReadReservedNamesIgnoringCaseAndAForeignMessageAsJson() {
        final Headers headers = new Headers().put("ipcbus-sender", NODE).put("CONTENT-TYPE", "application/octet-stream")
            .put("ipcbus-timestamp", "7").put("x", "1");
        final EngineMessage message = NatsWire.message("t", new NatsMessage("bus.t", null, headers, BODY));
        assertEquals(NODE, message.senderNode());
        assertEquals(7, message.timestampNanos());
        assertFalse(message.json());
        assertEquals(Map.of("x", "1"), message.headers());

        final EngineMessage foreign = NatsWire.message("t", new NatsMessage("bus.t", null, null, BODY));
        assertEquals("", foreign.senderNode());
        assertEquals(0, foreign.timestampNanos());
        assertTrue(foreign.json());
    }
}
