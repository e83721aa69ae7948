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
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(4, MAJOR_VERSION_OFFSET);
        assertEquals(5, MINOR_VERSION_OFFSET);
        assertEquals(6, TYPE_OFFSET);
        assertEquals(7, FLAGS_OFFSET);
        assertEquals(8, FRAME_LENGTH_OFFSET);
        assertEquals(12, TOPIC_LENGTH_OFFSET);
        assertEquals(14, CONTENT_TYPE_OFFSET);
        assertEquals(15, RESERVED_OFFSET);
        assertEquals(16, HEADERS_LENGTH_OFFSET);
        assertEquals(20, PAYLOAD_LENGTH_OFFSET);
        assertEquals(24, SENDER_OFFSET);
        assertEquals(32, DESTINATION_OFFSET);
        assertEquals(40, CORRELATION_ID_OFFSET);
        assertEquals(48, TIMESTAMP_OFFSET);
        assertEquals(56, HEADER_LENGTH);
    }

    @Test
    void shouldSpellMagicAsIpcbInLittleEndian() {
        assertEquals("IPCB", new String(new byte[] {
            (byte)MAGIC, (byte)(MAGIC >>> 8), (byte)(MAGIC >>> 16), (byte)(MAGIC >>> 24)},
            java.nio.charset.StandardCharsets.US_ASCII));
    }
}
