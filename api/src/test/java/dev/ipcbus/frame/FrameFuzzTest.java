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
    private static final int[] LENGTH_OFFSETS = {
        FRAME_LENGTH_OFFSET, TOPIC_LENGTH_OFFSET, HEADERS_LENGTH_OFFSET, PAYLOAD_LENGTH_OFFSET};
    private static final int[] EDGE_VALUES = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 255, 256, 56, 57};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldOnlyAcceptOrRefuseAMillionGeneratedInputs() {
        final SplittableRandom random = new SplittableRandom(20261123);
        final byte[][] seeds = {seed("a", Map.of(), 0), seed("orders.eu.created", Map.of("trace", "t1"), 40),
            seed("x.y", headers(5), 300), seed("z", Map.of("k", ""), 1)};
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
                final int offset = LENGTH_OFFSETS[random.nextInt(LENGTH_OFFSETS.length)];
                final int value = EDGE_VALUES[random.nextInt(EDGE_VALUES.length)];
                out[offset] = (byte)value;
                out[offset + 1] = (byte)(value >>> 8);
                if (offset != TOPIC_LENGTH_OFFSET) {
                    out[offset + 2] = (byte)(value >>> 16);
                    out[offset + 3] = (byte)(value >>> 24);
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
        frame.timestamp();
    }

    private static Map<String, String> headers(final int count) {
        final Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            headers.put("h" + i, "value-" + i);
        }
        return headers;
    }

    private static byte[] seed(final String topic, final Map<String, String> headers, final int payload) {
        final ByteBuf buffer = Unpooled.buffer();
        try {
            final int start = FrameEncoder.begin(buffer, TYPE_PUBLISH, 0, CONTENT_TYPE_JSON, 1, 0, 0, 2,
                topic.getBytes(StandardCharsets.UTF_8), headers);
            for (int i = 0; i < payload; i++) {
                buffer.writeByte('a' + i % 26);
            }
            FrameEncoder.finish(buffer, start);
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
