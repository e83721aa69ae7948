// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.FrameFormatException;
import dev.ipcbus.frame.FrameFlyweight;
import io.netty.buffer.ByteBuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Turns a topic's UTF-8 bytes inside a frame into an {@link Entry} (the topic as a {@code String}, plus what the
 * caller attached to it, such as the matching subscriptions) without allocating when the topic was seen recently: a
 * direct-mapped cache of 256 entries.
 * <p>
 * The slot is chosen by a hash of the topic's length and its first and last eight bytes (constant time, whatever the
 * topic's length); the whole topic is then compared with the slot's key eight bytes at a time, so a collision costs a
 * miss, never a wrong answer.
 * <p>
 * A topic is checked against the topic rules once, when its entry is made ({@link FrameFlyweight#decodeTopic}); an
 * entry for bytes that break them carries the problem instead of a topic, so a repeated bad topic costs no more than
 * a good one.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the receive thread.
 */
final class TopicCache {
    private static final int SIZE = 256;
    private static final VarHandle KEY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
        ByteOrder.LITTLE_ENDIAN);

    private final Entry[] entries = new Entry[SIZE];

    /**
     * One cached topic: its bytes, its {@code String} (or why the bytes are not a valid topic), and the caller's
     * attachment with the version it was made at.
     */
    static final class Entry {
        final byte[] key;
        /** The topic; {@code null} if the bytes break the topic rules. */
        final String topic;
        /** Why the bytes are not a valid topic (a {@link FrameFormatException} message); {@code null} if they are. */
        final String problem;
        Object attachment;
        long attachmentVersion = Long.MIN_VALUE;

        Entry(final byte[] key, final String topic, final String problem) {
            this.key = key;
            this.topic = topic;
            this.problem = problem;
        }
    }

    /**
     * @param buffer the frame.
     * @param offset the topic's first byte.
     * @param length the topic's length in bytes.
     * @return the topic's entry (cached, or new and now cached); check {@link Entry#problem} before using it.
     */
    Entry entry(final ByteBuf buffer, final int offset, final int length) {
        final long first;
        final long last;
        if (length >= Long.BYTES) {
            first = buffer.getLongLE(offset);
            last = buffer.getLongLE(offset + length - Long.BYTES);
        } else {
            long bytes = 0;
            for (int i = 0; i < length; i++) {
                bytes |= (buffer.getByte(offset + i) & 0xFFL) << (i * 8);
            }
            first = bytes;
            last = 0;
        }
        long hash = (first * 0x9E3779B97F4A7C15L) ^ (last * 0xC2B2AE3D27D4EB4FL) ^ length;
        hash ^= hash >>> 29;
        final int slot = (int)(hash ^ (hash >>> 32)) & (SIZE - 1);
        final Entry cached = entries[slot];
        if (cached != null && cached.key.length == length && matches(cached.key, buffer, offset, first, last)) {
            return cached;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final Entry entry = newEntry(bytes);
        entries[slot] = entry;
        return entry;
    }

    private static Entry newEntry(final byte[] bytes) {
        try {
            return new Entry(bytes, FrameFlyweight.decodeTopic(bytes), null);
        } catch (final FrameFormatException ex) {
            return new Entry(bytes, null, ex.getMessage());
        }
    }

    /** Whether {@code key} (of the topic's length) holds the topic's bytes; {@code first}/{@code last} already read. */
    private static boolean matches(
        final byte[] key, final ByteBuf buffer, final int offset, final long first, final long last) {
        final int length = key.length;
        if (length < Long.BYTES) {
            long bytes = 0;
            for (int i = 0; i < length; i++) {
                bytes |= (key[i] & 0xFFL) << (i * 8);
            }
            return bytes == first;
        }
        if ((long)KEY_LONG.get(key, 0) != first || (long)KEY_LONG.get(key, length - Long.BYTES) != last) {
            return false;
        }
        for (int i = Long.BYTES; i < length - Long.BYTES; i += Long.BYTES) {
            if ((long)KEY_LONG.get(key, i) != buffer.getLongLE(offset + i)) {
                return false;
            }
        }
        return true;
    }
}
