// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransportOptionsTest {
    @Test
    void shouldParseSizes() {
        assertEquals(1024, TransportOptions.parseSize("s", "1024"));
        assertEquals(4L << 20, TransportOptions.parseSize("s", "4MiB"));
        assertEquals(64L << 10, TransportOptions.parseSize("s", "64k"));
        assertEquals(1L << 30, TransportOptions.parseSize("s", "1 GiB"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseSize("s", "MiB"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseSize("s", "-1"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseSize("s", "3 apples"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseSize("s", "9999999999999"));
    }

    @Test
    void shouldParseDurations() {
        assertEquals(Duration.ofMillis(250), TransportOptions.parseDuration("d", "250ms"));
        assertEquals(Duration.ofSeconds(5), TransportOptions.parseDuration("d", "5s"));
        assertEquals(Duration.ofNanos(100_000), TransportOptions.parseDuration("d", "100us"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseDuration("d", "5"));
        assertThrows(ConfigurationException.class, () -> TransportOptions.parseDuration("d", "soon"));
    }

    @Test
    void shouldCountADurationTooLongForNanosecondsAsTheLongestDuration() {
        assertEquals(TransportOptions.MAX_DURATION, TransportOptions.parseDuration("d", "999999999999s"));
        assertEquals(TransportOptions.MAX_DURATION, TransportOptions.parseDuration("d", "999999999999m"));
        assertEquals(1L << 61, TransportOptions.parseDuration("d", "999999999999m").toNanos());
        assertEquals(Duration.ofMinutes(999_999), TransportOptions.parseDuration("d", "999999m"));
        assertEquals(1L << 61, TransportOptions.toNanosCapped(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(5_000_000_000L, TransportOptions.toNanosCapped(Duration.ofSeconds(5)));
    }

    @Test
    void shouldRefuseOptionsNobodyRead() {
        final TransportOptions options = new TransportOptions(Map.of("idle", "spin", "typo", "1"));
        assertEquals("spin", options.string("idle", "hybrid", "spin", "yield", "hybrid"));
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> options.checkAllRead("filemap"));
        assertEquals("unknown option: options=[typo], transport=filemap, accepted=[idle]", ex.getMessage());
    }

    @Test
    void shouldRefuseValueOutsideAllowed() {
        final TransportOptions options = new TransportOptions(Map.of("idle", "sometimes"));
        assertThrows(ConfigurationException.class, () -> options.string("idle", "hybrid", "spin", "hybrid"));
    }
}
