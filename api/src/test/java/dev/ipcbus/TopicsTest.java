// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopicsTest {
    @ParameterizedTest
    @CsvSource({
        "a, a, true", "a, b, false", "a.b, a.b, true", "a.b, a, false", "a, a.b, false",
        "a.*, a.b, true", "a.*, a, false", "a.*, a.b.c, false", "*.b, a.b, true", "*, a, true", "*, a.b, false",
        "a.>, a.b, true", "a.>, a.b.c, true", "a.>, a, false", ">, a, true", ">, a.b.c, true",
        "a.*.c, a.b.c, true", "a.*.c, a.b.d, false", "a.*.>, a.b.c, true", "a.*.>, a.b, false",
        "ab.c, a.c, false", "a.bc, a.b, false", "a.b, a.bc, false"})
    void shouldMatch(final String pattern, final String topic, final boolean expected) {
        assertEquals(expected, Topics.matches(pattern, topic), pattern + " ~ " + topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a.", ".a", "a..b", "a b", "a\tb", "a*", "a.*", "a.>", "x\u0001"})
    void shouldRefuseBadTopics(final String topic) {
        assertThrows(IllegalArgumentException.class, () -> Topics.validateTopic(topic));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.>.b", "a*", "a.b>", ">.a", "a..*", ""})
    void shouldRefuseBadPatterns(final String pattern) {
        assertThrows(IllegalArgumentException.class, () -> Topics.validatePattern(pattern));
    }

    @Test
    void shouldRefuseTopicsOverTheLimitInBytes() {
        Topics.validateTopic("x".repeat(255));
        assertThrows(IllegalArgumentException.class, () -> Topics.validateTopic("ü".repeat(128)));
    }
}
