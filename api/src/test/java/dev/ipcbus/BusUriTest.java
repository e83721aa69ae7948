// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusUriTest {
    @Test
    void shouldParseSchemeNameAndOptions() {
        final BusUri uri = BusUri.parse("FileMap://shop_1.eu?capacity=8MiB&idle=spin");
        assertEquals("filemap", uri.scheme());
        assertEquals("shop_1.eu", uri.busName());
        assertEquals(Map.of("capacity", "8MiB", "idle", "spin"), uri.options());
        assertEquals("filemap://shop_1.eu?capacity=8MiB&idle=spin", uri.toString());
    }

    @Test
    void shouldParseServersBeforeTheBusName() {
        final BusUri uri = BusUri.parse("nats://10.0.0.1:4222,[::1]:4223/shop?user=a");
        assertEquals("nats", uri.scheme());
        assertEquals("10.0.0.1:4222,[::1]:4223", uri.servers());
        assertEquals("shop", uri.busName());
        assertEquals("nats://10.0.0.1:4222,[::1]:4223/shop?user=a", uri.toString());
        final BusUri local = BusUri.parse("filemap://shop/");
        assertEquals("", local.servers());
        assertEquals("shop", local.busName());
    }

    @Test
    void shouldRefuseServersForALocalTransport() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Bus.open("inproc://127.0.0.1:4222/shop"));
        assertTrue(ex.getMessage().contains("servers=127.0.0.1:4222"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop", "filemap:/shop", "filemap://", "filemap://a/b/c", "filemap://h:1/", "filemap://..",
        "filemap://sh op", "filemap://shop?x", "filemap://shop?=1", "filemap://shop?x=", "filemap://shop?a=1&a=2",
        "1x://shop"})
    void shouldRefuseMalformedUris(final String text) {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> BusUri.parse(text));
        assertTrue(ex.getMessage().contains(text) || ex.getMessage().contains("uri="), ex.getMessage());
    }

    @Test
    void shouldRefuseUnknownSchemeListingTheOnesFound() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Bus.open("nosuch://shop"));
        assertTrue(ex.getMessage().contains("scheme=nosuch") && ex.getMessage().contains("inproc(ok)"),
            ex.getMessage());
    }

    @Test
    void shouldRefuseUnknownOptionNamingTheAcceptedOnes() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Bus.open("inproc://shop?capacty=1MiB"));
        assertTrue(ex.getMessage().contains("capacty") && ex.getMessage().contains("queue"), ex.getMessage());
    }

    @Test
    void shouldRefuseMalformedOptionValue() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Bus.open("inproc://shop?publishTimeout=soon"));
        assertTrue(ex.getMessage().contains("publishTimeout"), ex.getMessage());
    }
}
