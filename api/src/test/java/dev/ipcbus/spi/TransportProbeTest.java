// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.TransportUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportProbeTest {
    private static final String SCHEME = "probetest";

    @AfterEach
    void clear() {
        System.clearProperty(TransportProbe.disableProperty(SCHEME));
        System.clearProperty(OperatingSystem.PLATFORM_PROPERTY);
    }

    @Test
    void shouldProbeOncePerOperatingSystemAndCacheTheCause() {
        final List<OperatingSystem> runs = new ArrayList<>();
        final IllegalStateException noFutex = new IllegalStateException("no futex");
        final TransportProbe probe = new TransportProbe(SCHEME, os -> {
            runs.add(os);
            return os == OperatingSystem.WINDOWS ? null : noFutex;
        });
        System.setProperty(OperatingSystem.PLATFORM_PROPERTY, "windows");
        assertTrue(probe.isAvailable());
        assertNull(probe.unavailabilityCause());
        System.setProperty(OperatingSystem.PLATFORM_PROPERTY, "posix");
        final boolean posixHost = OperatingSystem.host().isPosix();
        assertEquals(!posixHost && OperatingSystem.current() == OperatingSystem.WINDOWS, probe.isAvailable());
        if (posixHost) {
            assertSame(noFutex, probe.unavailabilityCause());
            assertEquals("no futex", probe.unsupportedReason());
            final TransportUnavailableException failure = assertThrows(TransportUnavailableException.class,
                probe::ensureAvailable);
            assertSame(noFutex, failure.getCause());
        }
        assertEquals(List.of(OperatingSystem.WINDOWS, OperatingSystem.current()), runs);
    }

    @Test
    void shouldHonourTheOptOutPropertyBeforeProbing() {
        final List<OperatingSystem> runs = new ArrayList<>();
        final TransportProbe probe = new TransportProbe(SCHEME, os -> {
            runs.add(os);
            return null;
        });
        System.setProperty(TransportProbe.disableProperty(SCHEME), "true");
        assertFalse(probe.isAvailable());
        assertEquals("disabled by -Dipcbus." + SCHEME + ".disable=true", probe.unsupportedReason());
        assertEquals(List.of(), runs);
        System.clearProperty(TransportProbe.disableProperty(SCHEME));
        assertTrue(probe.isAvailable());
    }

    @Test
    void shouldSelectTheWindowsLayerOnAnyHostWhenAsked() {
        System.setProperty(OperatingSystem.PLATFORM_PROPERTY, "windows");
        assertEquals(OperatingSystem.WINDOWS, OperatingSystem.current());
        System.clearProperty(OperatingSystem.PLATFORM_PROPERTY);
        assertEquals(OperatingSystem.host(), OperatingSystem.current());
    }
}
