// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.spi.TransportProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeTransportProviderTest {
    @Test
    void shouldBeFoundByServiceLoaderUnderThePipeScheme() {
        assertTrue(ServiceLoader.load(TransportProvider.class).stream()
            .anyMatch(p -> p.get().scheme().equals("pipe") && p.type() == PipeTransportProvider.class));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void shouldBeSupportedOnThisPosixMachine() {
        final PipeTransportProvider provider = new PipeTransportProvider();
        assertNull(provider.unsupportedReason());
        assertTrue(provider.isSupported());
    }

    @Test
    void shouldReadOptionsAndRefuseBadValues() {
        final TransportOptions options = new TransportOptions(Map.of("maxFrameLength", "64KiB",
            "connectTimeout", "250ms", "helloTimeout", "2s"));
        final PipeOptions parsed = PipeOptions.from(options);
        assertEquals(65536, parsed.maxFrameLength());
        assertEquals(Duration.ofMillis(250), parsed.connectTimeout());
        assertEquals(Duration.ofSeconds(2), parsed.helloTimeout());
        assertEquals(PipeOptions.DEFAULT_HELLO_TIMEOUT,
            PipeOptions.from(new TransportOptions(Map.of())).helloTimeout());
        options.checkAllRead("pipe");
        assertEquals(PipeOptions.DEFAULT_MAX_FRAME_LENGTH,
            PipeOptions.from(new TransportOptions(Map.of())).maxFrameLength());
        assertThrows(ConfigurationException.class,
            () -> PipeOptions.from(new TransportOptions(Map.of("maxFrameLength", "10"))));
        assertThrows(ConfigurationException.class,
            () -> PipeOptions.from(new TransportOptions(Map.of("maxFrameLength", "1GiB"))));
        assertThrows(ConfigurationException.class,
            () -> PipeOptions.from(new TransportOptions(Map.of("connectTimeout", "0ms"))));
        assertThrows(ConfigurationException.class,
            () -> PipeOptions.from(new TransportOptions(Map.of("helloTimeout", "0ms"))));
    }
}
