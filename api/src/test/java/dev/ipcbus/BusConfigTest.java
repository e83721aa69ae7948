// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusConfigTest {
    @AfterEach
    void clear() {
        System.clearProperty(BusConfig.URI_PROPERTY);
    }

    @Test
    void shouldPreferCodeThenSystemProperty() {
        System.setProperty(BusConfig.URI_PROPERTY, "pipe://fromprop");
        assertEquals("inproc://code", BusConfig.builder().uri("inproc://code").build().uri().toString());
        final BusConfig config = BusConfig.builder().build();
        assertEquals("pipe://fromprop", config.uri().toString());
        assertEquals("system property ipcbus.uri", config.uriSource());
    }

    @Test
    void shouldFallBackToDefaultOrEnvironment() {
        final BusConfig config = BusConfig.builder().build();
        if (System.getenv(BusConfig.URI_ENV) == null) {
            // the test class path carries no ipcbus.properties
            assertEquals(BusConfig.DEFAULT_URI, config.uri().toString());
            assertEquals("default", config.uriSource());
        } else {
            assertEquals("environment variable IPCBUS_URI", config.uriSource());
        }
    }

    @Test
    void shouldNameTheSourceOfABadUri() {
        System.setProperty(BusConfig.URI_PROPERTY, "nonsense");
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> BusConfig.builder().build());
        assertTrue(ex.getMessage().contains("source=system property ipcbus.uri"), ex.getMessage());
    }
}
