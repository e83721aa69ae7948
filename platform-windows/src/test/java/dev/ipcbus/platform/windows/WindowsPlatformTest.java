// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowsPlatformTest {
    @Test
    void shouldBeSelectedByThePropertyOnAnyOs() {
        final String before = System.getProperty(WindowsPlatform.PLATFORM_PROPERTY);
        try {
            System.setProperty(WindowsPlatform.PLATFORM_PROPERTY, "windows");
            assertTrue(WindowsPlatform.isSelected());
            System.setProperty(WindowsPlatform.PLATFORM_PROPERTY, "posix");
            assertFalse(WindowsPlatform.isSelected());
        } finally {
            if (before == null) {
                System.clearProperty(WindowsPlatform.PLATFORM_PROPERTY);
            } else {
                System.setProperty(WindowsPlatform.PLATFORM_PROPERTY, before);
            }
        }
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void shouldNotBeSelectedOffWindowsByDefault() {
        if (System.getProperty(WindowsPlatform.PLATFORM_PROPERTY) == null) {
            assertFalse(WindowsPlatform.isSelected());
        }
    }
}
