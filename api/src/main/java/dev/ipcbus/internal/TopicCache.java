package dev.ipcbus.internal;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Turns a topic's UTF-8 bytes inside a frame into a {@code String} without allocating when the topic was seen
 * recently: a direct-mapped cache of 256 entries keyed by a hash of the bytes.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the receive thread.
 */
final class TopicCache {
    private static final int SIZE = 256;

    private final byte[][] keys = new byte[SIZE][];
    private final String[] values = new String[SIZE];

    String topic(final ByteBuf buffer, final int offset, final int length) {
        int hash = length;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        final byte[] key = keys[slot];
        if (key != null && key.length == length && sameBytes(key, buffer, offset)) {
            return values[slot];
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final String topic = new String(bytes, StandardCharsets.UTF_8);
        keys[slot] = bytes;
        values[slot] = topic;
        return topic;
    }

    private static boolean sameBytes(final byte[] key, final ByteBuf buffer, final int offset) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] != buffer.getByte(offset + i)) {
                return false;
            }
        }
        return true;
    }
}
