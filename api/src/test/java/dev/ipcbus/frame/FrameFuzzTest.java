// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.frame;

import dev.ipcbus.FrameFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds a million generated inputs to the frame decoder: mutations of valid frames (bit flips, random bytes, length
 * fields set to edge values, truncation, extension) and plain random bytes. The decoder may only accept or throw
 * {@link FrameFormatException}; anything it accepts must be readable within the bytes given; nothing it does may
 * depend on a claimed length (a frame claiming 2 GiB allocates nothing).
 */
class FrameFuzzTest {
    private static final int INPUTS = 1_000_000;
    /** The length fields of the seeds (a publish stamped and with headers): offset and width. */
    private static final int[][] LENGTH_FIELDS = {{TOPIC_LENGTH_OFFSET, 1},
        {headersLengthOffset(TYPE_PUBLISH, FLAG_TIMESTAMP | FLAG_HEADERS), 2}, {FLAGS_OFFSET, 1}};
    private static final int[] EDGE_VALUES = {0, 1, -1, 0x7FFF, 0xFFFF, 255, 254, 14, 22, 24, 40, 7};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldOnlyAcceptOrRefuseAMillionGeneratedInputs() {
        final SplittableRandom random = new SplittableRandom(20261123);
        final byte[][] seeds = {seed(TYPE_PUBLISH, "a", Map.of(), 0),
            seed(TYPE_PUBLISH, "orders.eu.created", Map.of("trace", "t1"), 40),
            seed(TYPE_PUBLISH, "x.y", headers(5), 300), seed(TYPE_PUBLISH, "z", Map.of("k", ""), 1),
            seed(TYPE_REQUEST, "orders.get", Map.of("trace", "t2"), 20)};
        final FrameFlyweight flyweight = new FrameFlyweight();
        final byte[] scratch = new byte[4096];
        final ByteBuf buffer = Unpooled.wrappedBuffer(scratch);
        int accepted = 0;
        final long allocatedBefore = allocatedBytes();
        for (int i = 0; i < INPUTS; i++) {
            final int length = generate(random, seeds, scratch);
            buffer.setIndex(0, length);
            try {
                flyweight.wrap(buffer);
                accepted++;
                checkReadable(flyweight, length);
            } catch (final FrameFormatException expected) {
                // the only exception allowed
            }
        }
        final long allocated = allocatedBytes() - allocatedBefore;
        assertTrue(accepted > 1000, "mutations of payload bytes stay valid: accepted=" + accepted);
        if (allocated >= 0) {
            // Refusals build one exception each (message strings); nothing scales with a claimed length.
            assertTrue(allocated / INPUTS < 4096, "allocation per input stays small: total=" + allocated);
        }
    }

    private static int generate(final SplittableRandom random, final byte[][] seeds, final byte[] out) {
        if (random.nextInt(20) == 0) {
            final int length = random.nextInt(200);
            for (int i = 0; i < length; i++) {
                out[i] = (byte)random.nextInt(256);
            }
            return length;
        }
        final byte[] seed = seeds[random.nextInt(seeds.length)];
        System.arraycopy(seed, 0, out, 0, seed.length);
        int length = seed.length;
        switch (random.nextInt(5)) {
            case 0: // flip bits
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    out[random.nextInt(length)] ^= (byte)(1 << random.nextInt(8));
                }
                break;
            case 1: // random bytes
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    out[random.nextInt(length)] = (byte)random.nextInt(256);
                }
                break;
            case 2: // a length field set to an edge value
                final int[] field = LENGTH_FIELDS[random.nextInt(LENGTH_FIELDS.length)];
                final int value = EDGE_VALUES[random.nextInt(EDGE_VALUES.length)];
                for (int i = 0; i < field[1]; i++) {
                    out[field[0] + i] = (byte)(value >>> (8 * i));
                }
                break;
            case 3: // truncated
                length = random.nextInt(length + 1);
                break;
            default: // extended
                final int extra = 1 + random.nextInt(64);
                for (int i = 0; i < extra; i++) {
                    out[length + i] = (byte)random.nextInt(256);
                }
                length += extra;
                break;
        }
        return length;
    }

    private static void checkReadable(final FrameFlyweight frame, final int length) {
        assertTrue(frame.topicOffset() + frame.topicLength() <= length);
        assertTrue(frame.payloadOffset() >= 0 && frame.payloadOffset() + frame.payloadLength() <= length);
        assertEquals(length, frame.frameLength());
        frame.topic();
        frame.headers();
        frame.sender();
        frame.destination();
        frame.correlationId();
        frame.timestamp();
    }

    private static Map<String, String> headers(final int count) {
        final Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            headers.put("h" + i, "value-" + i);
        }
        return headers;
    }

    private static byte[] seed(final byte type, final String topic, final Map<String, String> headers,
        final int payload) {
        final ByteBuf buffer = Unpooled.buffer();
        try {
            FrameEncoder.begin(buffer, type, 0, CONTENT_TYPE_JSON, 1, 3, 4, 2, topic.getBytes(StandardCharsets.UTF_8),
                headers);
            for (int i = 0; i < payload; i++) {
                buffer.writeByte('a' + i % 26);
            }
            final byte[] bytes = new byte[buffer.readableBytes()];
            buffer.getBytes(0, bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }

    private static long allocatedBytes() {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        if (threads instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean)threads).getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }
}
