// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot;

import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailslotTransportProviderTest {
    @Test
    void shouldBeFoundByServiceLoaderUnderItsScheme() {
        assertTrue(ServiceLoader.load(TransportProvider.class).stream()
            .anyMatch(provider -> provider.type() == MailslotTransportProvider.class));
        final MailslotTransportProvider provider = new MailslotTransportProvider();
        assertEquals("mailslot", provider.scheme());
        assertEquals(TransportProvider.API_VERSION, provider.apiVersion());
    }

    @Test
    void shouldAnswerSupportConsistently() {
        final MailslotTransportProvider provider = new MailslotTransportProvider();
        assertEquals(provider.unsupportedReason() == null, provider.isSupported());
        if (OperatingSystem.current() == OperatingSystem.LINUX) {
            assertTrue(provider.isSupported(), String.valueOf(provider.unsupportedReason()));
        }
    }
}
