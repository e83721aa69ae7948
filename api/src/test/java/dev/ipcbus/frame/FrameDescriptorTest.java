// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import org.junit.jupiter.api.Test;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Holds {@link FrameDescriptor}'s offsets to the diagram in its javadoc and in docs/PROTOCOL.md.
 */
class FrameDescriptorTest {
    @Test
    void shouldMatchTheDiagram() {
        assertEquals(0, MAJOR_VERSION_OFFSET);
        assertEquals(1, MINOR_VERSION_OFFSET);
        assertEquals(2, TYPE_OFFSET);
        assertEquals(3, FLAGS_OFFSET);
        assertEquals(4, CONTENT_TYPE_OFFSET);
        assertEquals(5, TOPIC_LENGTH_OFFSET);
        assertEquals(6, SENDER_OFFSET);
        assertEquals(14, FIXED_LENGTH);
        assertEquals(14, DESTINATION_OFFSET);
        assertEquals(22, CORRELATION_ID_OFFSET);
        assertEquals(40, MAX_HEADER_LENGTH);
    }

    @Test
    void shouldPlaceTheOptionalFieldsByTypeAndFlags() {
        assertEquals(14, headerLength(TYPE_PUBLISH, 0));
        assertEquals(22, headerLength(TYPE_PUBLISH, FLAG_TIMESTAMP));
        assertEquals(16, headerLength(TYPE_PUBLISH, FLAG_HEADERS));
        assertEquals(24, headerLength(TYPE_PUBLISH, FLAG_TIMESTAMP | FLAG_HEADERS));
        assertEquals(14, timestampOffset(TYPE_PUBLISH));
        assertEquals(22, headersLengthOffset(TYPE_PUBLISH, FLAG_TIMESTAMP));
        assertEquals(30, headerLength(TYPE_REQUEST, 0));
        assertEquals(30, headerLength(TYPE_ERROR_REPLY, FLAG_NO_RESPONDER));
        assertEquals(30, timestampOffset(TYPE_REPLY));
        assertEquals(38, headersLengthOffset(TYPE_REQUEST, FLAG_TIMESTAMP | FLAG_HEADERS));
        assertEquals(40, headerLength(TYPE_REQUEST, FLAG_TIMESTAMP | FLAG_HEADERS));
    }

    @Test
    void shouldSpellTheProtocolOneMagicAsIpcbInLittleEndian() {
        assertEquals("IPCB", new String(new byte[] {
            (byte)V1_MAGIC, (byte)(V1_MAGIC >>> 8), (byte)(V1_MAGIC >>> 16), (byte)(V1_MAGIC >>> 24)},
            java.nio.charset.StandardCharsets.US_ASCII));
    }
}
