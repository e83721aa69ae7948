// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedRegionTest {
    @Test
    void shouldRefuseHeapAndMisalignedBuffers() {
        assertThrows(IllegalArgumentException.class, () -> new SharedRegion(ByteBuffer.allocate(64)));
        final ByteBuffer direct = ByteBuffer.allocateDirect(128);
        final ByteBuffer misaligned = direct.position(4).slice();
        assertThrows(IllegalArgumentException.class, () -> new SharedRegion(misaligned));
        assertThrows(IllegalArgumentException.class, () -> new SharedRegion(direct.asReadOnlyBuffer()));
    }

    @Test
    void shouldWriteLittleEndianWhateverTheBufferOrder() {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);
        final SharedRegion region = new SharedRegion(buffer);
        region.putIntRelease(0, 0x04030201);
        region.putLongRelease(8, 0x0807060504030201L);
        assertEquals(1, buffer.get(0));
        assertEquals(4, buffer.get(3));
        assertEquals(1, buffer.get(8));
        assertEquals(8, buffer.get(15));
    }

    @Test
    void shouldDoAtomicOperations() {
        final SharedRegion region = new SharedRegion(ByteBuffer.allocateDirect(64));
        assertTrue(region.compareAndSetLong(8, 0, 5));
        assertFalse(region.compareAndSetLong(8, 0, 6));
        assertEquals(5, region.getAndAddLong(8, 2));
        assertEquals(7, region.getLongAcquire(8));
        assertTrue(region.compareAndSetInt(4, 0, 1));
        assertEquals(1, region.getAndAddInt(4, 1));
        assertEquals(2, region.getIntVolatile(4));
        assertThrows(IllegalStateException.class, () -> region.compareAndSetLong(4, 0, 1));
    }

    @Test
    void shouldCopyAndZeroPayloadBytes() {
        final SharedRegion region = new SharedRegion(ByteBuffer.allocateDirect(64));
        final byte[] bytes = {1, 2, 3, 4, 5};
        region.putBytes(10, Unpooled.wrappedBuffer(bytes), 0, 5);
        final byte[] out = new byte[5];
        region.getBytes(10, out, 0, 5);
        assertArrayEquals(bytes, out);
        region.setZero(11, 3);
        region.getBytes(10, out, 0, 5);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 5}, out);
    }
}
