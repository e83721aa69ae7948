package dev.ipcbus.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CachedProbeTest {
    private static final String PROPERTY = "ipcbus.test.probe.disable";

    @AfterEach
    void clear() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void shouldRunTheProbeOnceAndCacheItsAnswer() {
        final AtomicInteger runs = new AtomicInteger();
        final CachedProbe probe = CachedProbe.of(() -> {
            runs.incrementAndGet();
            return "no futex";
        });
        assertEquals("no futex", probe.unsupportedReason());
        assertEquals("no futex", probe.unsupportedReason());
        assertEquals(1, runs.get());
    }

    @Test
    void shouldHonourTheOptOutPropertyBeforeProbing() {
        final AtomicInteger runs = new AtomicInteger();
        System.setProperty(PROPERTY, "true");
        final CachedProbe disabled = CachedProbe.withOptOut(PROPERTY, () -> {
            runs.incrementAndGet();
            return null;
        });
        assertEquals("disabled by -D" + PROPERTY + "=true", disabled.unsupportedReason());
        assertEquals(0, runs.get());
        System.clearProperty(PROPERTY);
        assertNull(CachedProbe.withOptOut(PROPERTY, () -> null).unsupportedReason());
    }
}
