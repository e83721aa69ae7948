package dev.ipcbus.transport.filemap.core;

import org.junit.jupiter.api.Test;

import static dev.ipcbus.transport.filemap.core.RecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordDescriptorTest {
    @Test
    void shouldMatchTheDiagramOffsets() {
        assertEquals(0, LENGTH_OFFSET);
        assertEquals(4, TYPE_OFFSET);
        assertEquals(8, HEADER_LENGTH);
        assertEquals(8, ALIGNMENT);
        assertEquals(100, lengthOffset(100));
        assertEquals(104, typeOffset(100));
        assertEquals(108, bodyOffset(100));
    }

    @Test
    void shouldAlignLengthsToEightBytes() {
        assertEquals(8, alignedLength(8));
        assertEquals(16, alignedLength(9));
        assertEquals(16, alignedLength(16));
        assertEquals(64, alignedLength(57));
    }
}
