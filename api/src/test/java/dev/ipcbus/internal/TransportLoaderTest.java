// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** api's own class path has no local transport: what a user with ipcbus-api alone sees. */
class TransportLoaderTest {
    @Test
    void aMissingTransportNamesTheArtifactThatProvidesIt() {
        final ConfigurationException error = assertThrows(ConfigurationException.class,
            () -> Bus.open("filemap://default"));
        assertTrue(error.getMessage().contains("unknown transport scheme: scheme=filemap"), error.getMessage());
        assertTrue(error.getMessage().contains("add the dependency dev.ipcbus:ipcbus-transport-filemap"),
            error.getMessage());
    }

    @Test
    void aSchemeOfNobodyNamesNoArtifact() {
        final ConfigurationException error = assertThrows(ConfigurationException.class,
            () -> Bus.open("carrierpigeon://default"));
        assertFalse(error.getMessage().contains("add the dependency"), error.getMessage());
    }
}
