// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MailslotSizingTest {
    @Test
    void shouldAcceptSizesWithinBounds() {
        assertEquals(1024, MailslotSizing.checkMaxFrameLength(1024, 65536, "maxFrame"));
        assertEquals(65536, MailslotSizing.checkMaxFrameLength(65536, 65536, "maxFrame"));
    }

    @Test
    void shouldRefuseSizesOutOfBoundsNamingThem() {
        final ConfigurationException low = assertThrows(ConfigurationException.class,
            () -> MailslotSizing.checkMaxFrameLength(1023, 65536, "maxFrame"));
        assertEquals("bad mailslot frame size: option=maxFrame, value=1023, min=1024, max=65536", low.getMessage());
        assertThrows(ConfigurationException.class, () -> MailslotSizing.checkMaxFrameLength(65537, 65536, "maxFrame"));
    }

    @Test
    void shouldReadIntoABufferOneByteLongerThanTheLargestFrame() {
        assertEquals(65537, MailslotSizing.receiveBufferLength(65536));
    }
}
