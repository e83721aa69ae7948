// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.spi.Inbox;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The node record's JSON, read as {@link FileNodeRegistry} reads it: the inbox's frame limit round-trips, and a record
 * without it (an older node's) or with nonsense in it reads as unknown.
 */
class NodeRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void shouldRoundTripTheInboxFrameLimit() throws Exception {
        final NodeRecord record = new NodeRecord("00000000000000aa", 42, "pipe", "/run/x.sock", "n", 1L,
            List.of("a.>"), List.of("b"), 65536);
        final String json = JSON.writeValueAsString(record);
        assertEquals(true, json.contains("\"maxFrameLength\":65536"), json);
        assertEquals(record, JSON.readValue(json, NodeRecord.class));
        assertEquals(65536, record.with(List.of(), List.of()).maxFrameLength());
    }

    @Test
    void shouldReadARecordWithoutTheFieldAsUnknown() throws Exception {
        final NodeRecord record = JSON.readValue("{\"id\":\"00000000000000aa\",\"pid\":42,\"transport\":\"pipe\","
            + "\"address\":\"/run/x.sock\",\"name\":\"n\",\"startedMillis\":1,\"subscriptions\":[],\"responders\":[],"
            + "\"future\":true}", NodeRecord.class);
        assertEquals(Inbox.UNKNOWN_FRAME_LENGTH, record.maxFrameLength());
    }

    @Test
    void shouldReadANegativeLimitAsUnknown() throws Exception {
        final NodeRecord record = JSON.readValue("{\"id\":\"00000000000000aa\",\"transport\":\"pipe\","
            + "\"address\":\"a\",\"maxFrameLength\":-5}", NodeRecord.class);
        assertEquals(Inbox.UNKNOWN_FRAME_LENGTH, record.maxFrameLength());
    }
}
