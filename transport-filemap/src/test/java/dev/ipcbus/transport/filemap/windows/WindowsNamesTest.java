// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WindowsNamesTest {
    @Test
    void shouldNameObjectsInTheLocalNamespace() {
        assertEquals("Local\\ipcbus-shop-00000000000000ab", WindowsNames.mappingName("shop", 0xAB));
        assertEquals("Local\\ipcbus-shop-ffffffffffffffff-bell",
            WindowsNames.eventName(WindowsNames.mappingName("shop", -1L)));
    }

    @Test
    void shouldRefuseNamesLongerThanWindowsAccepts() {
        assertThrows(IllegalArgumentException.class, () -> WindowsNames.mappingName("x".repeat(240), 1));
    }
}
