// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeRecordDescriptorTest {
    @Test
    void shouldMatchTheRecordDiagram() {
        assertEquals(0, PipeRecordDescriptor.LENGTH_OFFSET);
        assertEquals(4, PipeRecordDescriptor.PREFIX_LENGTH);
        assertEquals(4, PipeRecordDescriptor.FRAME_OFFSET);
        assertEquals(1, PipeRecordDescriptor.TRAILER_LENGTH);
        assertEquals(5, PipeRecordDescriptor.OVERHEAD);
        assertEquals(4 + 7, PipeRecordDescriptor.statusOffset(7));
        assertEquals(12, PipeRecordDescriptor.recordLength(7));
        assertEquals(256 * 1024 * 1024, PipeRecordDescriptor.MAX_FRAME_LENGTH, "the protocol's largest L (PIPE.md)");
    }

    @Test
    void shouldMatchTheHelloDiagram() {
        assertEquals(0, PipeHelloDescriptor.MAGIC_OFFSET);
        assertEquals(4, PipeHelloDescriptor.MAJOR_VERSION_OFFSET);
        assertEquals(5, PipeHelloDescriptor.MINOR_VERSION_OFFSET);
        assertEquals(6, PipeHelloDescriptor.RESERVED_OFFSET);
        assertEquals(8, PipeHelloDescriptor.TARGET_NODE_OFFSET);
        assertEquals(16, PipeHelloDescriptor.LENGTH);
    }

    @Test
    void shouldWriteHelloLittleEndianAsDrawn() {
        final ByteBuf buffer = Unpooled.buffer(16);
        try {
            PipeHelloDescriptor.write(buffer, 0, 0x0102030405060708L);
            buffer.writerIndex(16);
            assertEquals('I', buffer.getByte(0));
            assertEquals('P', buffer.getByte(1));
            assertEquals('C', buffer.getByte(2));
            assertEquals('P', buffer.getByte(3));
            assertEquals(1, buffer.getByte(4));
            assertEquals(0x08, buffer.getByte(8));
            assertEquals(0x01, buffer.getByte(15));
            assertNull(PipeHelloDescriptor.check(buffer, 0, 0x0102030405060708L));
            assertTrue(PipeHelloDescriptor.check(buffer, 0, 42L).contains("another node"));
            buffer.setByte(4, 2);
            assertTrue(PipeHelloDescriptor.check(buffer, 0, 0x0102030405060708L).contains("peerMajor=2"));
            buffer.setByte(0, 'X');
            assertTrue(PipeHelloDescriptor.check(buffer, 0, 0x0102030405060708L).contains("magic"));
        } finally {
            buffer.release();
        }
    }
}
