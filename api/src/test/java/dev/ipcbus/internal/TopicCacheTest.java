// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicCacheTest {
    private final TopicCache cache = new TopicCache();

    @Test
    void shouldReturnTheSameEntryForTheSameBytesAtAnyOffset() {
        final ByteBuf a = frameWithTopic(3, "orders.eu.created");
        final ByteBuf b = frameWithTopic(11, "orders.eu.created");
        final TopicCache.Entry first = cache.entry(a, 3, 17);
        assertEquals("orders.eu.created", first.topic);
        assertSame(first, cache.entry(b, 11, 17));
    }

    @Test
    void shouldTellApartTopicsThatDifferOnlyInTheMiddle() {
        // Same length, same first and last eight bytes: the same slot, told apart by the full comparison.
        final String one = "sensor.0001.x.temperature";
        final String two = "sensor.0002.x.temperature";
        final TopicCache.Entry first = cache.entry(frameWithTopic(0, one), 0, one.length());
        final TopicCache.Entry second = cache.entry(frameWithTopic(0, two), 0, two.length());
        assertEquals(one, first.topic);
        assertEquals(two, second.topic);
        assertNotSame(first, second);
        assertEquals(one, cache.entry(frameWithTopic(0, one), 0, one.length()).topic);
    }

    @Test
    void shouldDecodeRandomTopicsOfEveryLengthCorrectly() {
        final Random random = new Random(42);
        final List<String> topics = new ArrayList<>();
        for (int length = 1; length <= 255; length++) {
            final StringBuilder topic = new StringBuilder();
            for (int i = 0; i < length; i++) {
                topic.append((char) ('a' + random.nextInt(3)));
            }
            topics.add(topic.toString());
        }
        topics.add("ä.ö.ü"); // multi-byte UTF-8
        for (int pass = 0; pass < 3; pass++) {
            for (final String topic : topics) {
                final int offset = random.nextInt(9);
                final byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
                final TopicCache.Entry entry = cache.entry(frameWithTopic(offset, topic), offset, utf8.length);
                assertEquals(topic, entry.topic);
            }
        }
    }

    @Test
    void shouldKeepTheAttachmentOfACachedTopic() {
        final TopicCache.Entry entry = cache.entry(frameWithTopic(0, "a.b"), 0, 3);
        entry.attachment = "matches";
        entry.attachmentVersion = 7;
        final TopicCache.Entry again = cache.entry(frameWithTopic(5, "a.b"), 5, 3);
        assertEquals("matches", again.attachment);
        assertEquals(7, again.attachmentVersion);
    }

    @Test
    void shouldCarryTheProblemOfATopicThatBreaksTheRulesAndKeepIt() {
        final TopicCache.Entry bad = cache.entry(frameWithTopic(0, "orders.>"), 0, 8);
        assertNull(bad.topic);
        assertTrue(bad.problem.contains("wildcard not allowed in topic: topic=orders.>"), bad.problem);
        assertSame(bad, cache.entry(frameWithTopic(4, "orders.>"), 4, 8), "checked once, then cached");
        final TopicCache.Entry good = cache.entry(frameWithTopic(0, "orders.eu"), 0, 9);
        assertNull(good.problem);
        assertEquals("orders.eu", good.topic);
    }

    private static ByteBuf frameWithTopic(final int offset, final String topic) {
        final byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
        final ByteBuf buffer = Unpooled.buffer(offset + utf8.length + 16);
        buffer.writeZero(offset).writeBytes(utf8).writeLong(-1L).writeLong(-1L);
        return buffer;
    }
}
