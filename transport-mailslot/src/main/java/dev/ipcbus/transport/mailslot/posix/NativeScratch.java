// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Gives the native address of a frame's readable bytes: the buffer's own memory when it has an address, else a copy in
 * a per-thread native scratch area that grows to the largest frame seen and is reused (nothing is allocated per frame
 * once it has grown).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; the scratch area is per thread, and an address returned for a copy
 * is valid until the same thread calls {@link #address(ByteBuf)} again.
 */
final class NativeScratch {
    private static final ThreadLocal<NativeScratch> SCRATCH = ThreadLocal.withInitial(NativeScratch::new);

    private Memory memory;
    private ByteBuffer view;
    private long address;

    private NativeScratch() {
    }

    /**
     * @param frame the frame; borrowed, indexes unchanged.
     * @return the native address of its first readable byte.
     */
    static long address(final ByteBuf frame) {
        if (frame.hasMemoryAddress()) {
            return frame.memoryAddress() + frame.readerIndex();
        }
        return SCRATCH.get().copy(frame);
    }

    private long copy(final ByteBuf frame) {
        final int length = frame.readableBytes();
        if (memory == null || memory.size() < length) {
            // Grows to the largest frame seen; Memory frees itself when this thread's scratch is collected.
            memory = new Memory(Math.max(length, 4096));
            view = memory.getByteBuffer(0, memory.size());
            address = Pointer.nativeValue(memory);
        }
        view.clear().limit(length);
        frame.getBytes(frame.readerIndex(), view);
        return address;
    }
}
