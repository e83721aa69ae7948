// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.ipcbus.transport.filemap.core.RecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordDescriptorTest {
    @Test
    void shouldMatchTheDiagramOffsets() {
        assertEquals(0, LENGTH_OFFSET);
        assertEquals(4, TAG_OFFSET);
        assertEquals(8, HEADER_LENGTH);
        assertEquals(8, ALIGNMENT);
        assertEquals(100, headerOffset(100));
        assertEquals(108, bodyOffset(100));
    }

    @Test
    void shouldAlignLengthsToEightBytes() {
        assertEquals(8, alignedLength(8));
        assertEquals(16, alignedLength(9));
        assertEquals(16, alignedLength(16));
        assertEquals(64, alignedLength(57));
    }

    @Test
    void shouldPutTheLengthInTheLowHalfAndTheTagInTheHighHalfOfTheHeaderWord() {
        final ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(0, claimMark(44, 4242));
        assertEquals(-44, bytes.getInt(LENGTH_OFFSET));
        assertEquals(4242, bytes.getInt(TAG_OFFSET));
        bytes.putLong(0, header(44, TYPE_FRAME));
        assertEquals(44, bytes.getInt(LENGTH_OFFSET));
        assertEquals(TYPE_FRAME, bytes.getInt(TAG_OFFSET));
        assertEquals(-44, length(claimMark(44, -7)));
        assertEquals(-7, tag(claimMark(44, -7)));
    }

    @Test
    void shouldTellSentinelsFromFreeClaimedAndPublishedWords() {
        assertFalse(isSentinel(0));
        assertTrue(isSentinel(header(0, skipTag(0))));
        assertFalse(isSentinel(claimMark(16, 1)));
        assertFalse(isSentinel(header(16, TYPE_PADDING)));
    }

    @Test
    void shouldGiveDistinctNonZeroSkipTagsToPositionsThatShareARingIndex() {
        for (final long position : new long[] {0, 8, 1024, 1L << 35, (1L << 40) + 8}) {
            assertNotEquals(0, skipTag(position));
        }
        final int capacity = 1024;
        for (long lap = 1; lap < 64; lap++) {
            assertNotEquals(skipTag(4096), skipTag(4096 + lap * capacity));
        }
        assertEquals(skipTag(4096), skipTag(4096 + (1L << 35)));
    }
}
