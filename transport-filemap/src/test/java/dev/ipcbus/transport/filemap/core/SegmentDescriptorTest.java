// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import org.junit.jupiter.api.Test;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SegmentDescriptorTest {
    @Test
    void shouldMatchTheDiagramOffsets() {
        assertEquals(0, VERSION_OFFSET);
        assertEquals(4, MAGIC_OFFSET);
        assertEquals(8, CAPACITY_OFFSET);
        assertEquals(12, MAX_FRAME_LENGTH_OFFSET);
        assertEquals(16, INIT_CLAIM_OFFSET);
        assertEquals(24, OWNER_NODE_OFFSET);
        assertEquals(32, OWNER_PID_OFFSET);
        assertEquals(40, CREATED_MILLIS_OFFSET);
        assertEquals(48, READER_STATE_OFFSET);
        assertEquals(128, TAIL_OFFSET);
        assertEquals(136, SKIP_EPOCH_OFFSET);
        assertEquals(256, HEAD_OFFSET);
        assertEquals(384, WAITING_OFFSET);
        assertEquals(388, DOORBELL_SEQ_OFFSET);
        assertEquals(512, FRAMES_READ_OFFSET);
        assertEquals(520, BYTES_READ_OFFSET);
        assertEquals(528, SKIPPED_RECORDS_OFFSET);
        assertEquals(536, SKIPPED_BYTES_OFFSET);
        assertEquals(544, WAKEUPS_OFFSET);
        assertEquals(552, CORRUPT_RECORDS_OFFSET);
        assertEquals(560, LIVE_WRITER_WAITS_OFFSET);
        assertEquals(640, BACKPRESSURE_WAITS_OFFSET);
        assertEquals(648, DOORBELL_RINGS_OFFSET);
        assertEquals(656, SKIPPED_CLAIMS_RETRIED_OFFSET);
        assertEquals(1024, HEADER_LENGTH);
    }

    @Test
    void shouldSeparateWriterAndReaderWordsByTwoCacheLines() {
        assertEquals(128, HEAD_OFFSET - TAIL_OFFSET);
        assertEquals(128, WAITING_OFFSET - HEAD_OFFSET);
    }

    @Test
    void shouldEncodeMagicAndVersion() {
        assertEquals(0x50414D46, MAGIC);
        assertEquals('F', MAGIC & 0xFF);
        assertEquals('P', MAGIC >>> 24);
        assertEquals(0x00020000, VERSION);
        assertEquals(2, major(VERSION));
        assertEquals(0, minor(VERSION));
        // In memory (little-endian) the minor version's bytes come first, as the diagram shows.
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(0, VERSION);
        assertEquals(0, bytes.getShort(0));
        assertEquals(2, bytes.getShort(2));
    }

    @Test
    void shouldComputeLengths() {
        assertEquals(1024 + (1 << 20), segmentLength(1 << 20));
        assertEquals(131072, maxFrameLength(1 << 20));
    }

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwo() {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> checkCapacity(3000));
        assertEquals("ring capacity must be a power of two between 1024 and 1073741824: capacity=3000",
            ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> checkCapacity(512));
        assertThrows(IllegalArgumentException.class, () -> checkCapacity(1L << 31));
        checkCapacity(1024);
    }
}
