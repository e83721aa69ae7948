package dev.ipcbus.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;

/**
 * Buffers to encode outgoing frames in: one per thread, reused for every frame that thread sends, so that publishing
 * allocates nothing and takes nothing from a pool (no pool bookkeeping, no leak-detector sampling) in steady state.
 * Outlets borrow the frame and copy it before {@code offer} returns, so the buffer is free again once the send is
 * done. A nested use on the same thread (never expected, but possible from a callback) falls back to a pooled buffer.
 * <p>
 * The per-thread buffer is plain direct memory owned by the thread's buffer object, freed by the garbage collector
 * with it; one that grew past {@value #RETAIN_LIMIT} bytes is dropped after use so idle threads keep little memory.
 * <p>
 * <b>Thread safety:</b> each buffer is confined to its thread.
 */
final class FrameBuffers {
    private static final int INITIAL_CAPACITY = 4096;
    private static final int RETAIN_LIMIT = 1 << 20;
    private static final ThreadLocal<FrameBuffers> LOCAL = ThreadLocal.withInitial(FrameBuffers::new);

    private ByteBuf buffer = newBuffer();
    private boolean inUse;

    private static ByteBuf newBuffer() {
        return new UnpooledUnsafeDirectByteBuf(UnpooledByteBufAllocator.DEFAULT, INITIAL_CAPACITY, Integer.MAX_VALUE);
    }

    /**
     * @return an empty buffer to encode one frame in; give it back with {@link #release(ByteBuf)}.
     */
    static ByteBuf acquire() {
        final FrameBuffers local = LOCAL.get();
        if (local.inUse) {
            return PooledByteBufAllocator.DEFAULT.directBuffer(INITIAL_CAPACITY);
        }
        local.inUse = true;
        return local.buffer.clear();
    }

    /**
     * @param frame a buffer {@link #acquire()} returned on this thread.
     */
    static void release(final ByteBuf frame) {
        final FrameBuffers local = LOCAL.get();
        if (frame != local.buffer) {
            frame.release();
            return;
        }
        local.inUse = false;
        if (frame.capacity() > RETAIN_LIMIT) {
            local.buffer = newBuffer();
        }
    }
}
