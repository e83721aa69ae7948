// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.core.IdleMode;
import dev.ipcbus.transport.filemap.core.RingSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilemapOptionsTest {
    @Test
    void shouldDefaultToOneMebibyteHybridAndTwoSeconds() {
        final TransportOptions options = new TransportOptions(Map.of());
        final RingSettings settings = FilemapOptions.read(options);
        assertEquals(1 << 20, settings.capacity());
        assertEquals(IdleMode.HYBRID, settings.idleMode());
        assertEquals(TimeUnit.SECONDS.toNanos(2), settings.stallTimeoutNanos());
        options.checkAllRead("filemap");
    }

    @Test
    void shouldReadEveryOption() {
        final TransportOptions options = new TransportOptions(Map.of("capacity", "4MiB", "idle", "SPIN",
            "stallTimeout", "250ms"));
        final RingSettings settings = FilemapOptions.read(options);
        assertEquals(4 << 20, settings.capacity());
        assertEquals(IdleMode.SPIN, settings.idleMode());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), settings.stallTimeoutNanos());
        options.checkAllRead("filemap");
    }

    @Test
    void shouldRefuseBadValuesNamingTheOption() {
        for (final String capacity : new String[] {"3MiB", "32KiB", "2GiB", "0"}) {
            final ConfigurationException ex = assertThrows(ConfigurationException.class,
                () -> FilemapOptions.read(new TransportOptions(Map.of("capacity", capacity))));
            assertTrue(ex.getMessage().contains("option=capacity"), ex.getMessage());
            assertTrue(ex.getMessage().contains("power of two from 64KiB to 1GiB"), ex.getMessage());
        }
        assertThrows(ConfigurationException.class,
            () -> FilemapOptions.read(new TransportOptions(Map.of("idle", "sleepy"))));
        assertThrows(ConfigurationException.class,
            () -> FilemapOptions.read(new TransportOptions(Map.of("stallTimeout", "0ms"))));
        assertThrows(ConfigurationException.class,
            () -> FilemapOptions.read(new TransportOptions(Map.of("stallTimeout", "5"))));
    }

    @Test
    void shouldLeaveUnknownOptionsForTheCoreToRefuse() {
        final TransportOptions options = new TransportOptions(Map.of("capasity", "4MiB"));
        FilemapOptions.read(options);
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> options.checkAllRead("filemap"));
        assertTrue(ex.getMessage().contains("capasity"), ex.getMessage());
        assertTrue(ex.getMessage().contains("capacity"), ex.getMessage());
    }
}
