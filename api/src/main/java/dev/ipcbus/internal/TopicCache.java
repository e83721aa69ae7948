package dev.ipcbus.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * Turns a topic's UTF-8 bytes inside a frame into a {@code String} without allocating when the topic was seen
 * recently: a direct-mapped cache of 256 entries keyed by a hash of the bytes.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the receive thread.
 */
final class TopicCache {
    private static final int SIZE = 256;

    private final ByteBuf[] keys = new ByteBuf[SIZE];
    private final String[] values = new String[SIZE];

    String topic(final ByteBuf buffer, final int offset, final int length) {
        long hash = length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            hash = 31 * hash + buffer.getLongLE(offset + i);
        }
        for (; i < length; i++) {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int folded = (int)(hash ^ (hash >>> 32));
        final int slot = (folded ^ (folded >>> 16)) & (SIZE - 1);
        final ByteBuf key = keys[slot];
        if (key != null && key.readableBytes() == length && ByteBufUtil.equals(key, 0, buffer, offset, length)) {
            return values[slot];
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final String topic = new String(bytes, StandardCharsets.UTF_8);
        keys[slot] = Unpooled.wrappedBuffer(bytes);
        values[slot] = topic;
        return topic;
    }
}
