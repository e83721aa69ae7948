// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowsMailslotNameTest {
    @Test
    void shouldNameTheNodesLocalSlot() {
        assertEquals("\\\\.\\mailslot\\ipcbus\\shop\\00000000000000ff", WindowsMailslotName.of("shop", 255));
        assertEquals("\\\\.\\mailslot\\ipcbus\\a.b_c-9\\8000000000000000",
            WindowsMailslotName.of("a.b_c-9", Long.MIN_VALUE));
    }

    @Test
    void shouldStayWithinMaxPathForTheLongestBusName() {
        final String name = WindowsMailslotName.of("b".repeat(64), -1);
        assertTrue(name.length() <= WindowsMailslotName.MAX_LENGTH, name);
        assertTrue(name.startsWith("\\\\.\\mailslot\\"), "local, never \\\\*\\ broadcast");
    }

    @Test
    void shouldRefuseBusNamesThatCouldEscapeThePrefix() {
        for (final String bad : new String[] {"", ".", "..", "a\\b", "a/b", "..\\x", "a b", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> WindowsMailslotName.of(bad, 1), bad);
        }
    }

    @Test
    void shouldRecogniseANodesName() {
        assertTrue(WindowsMailslotName.isNameOf("shop", 255, "\\\\.\\MAILSLOT\\ipcbus\\shop\\00000000000000FF"));
        assertFalse(WindowsMailslotName.isNameOf("shop", 254, "\\\\.\\mailslot\\ipcbus\\shop\\00000000000000ff"));
    }
}
