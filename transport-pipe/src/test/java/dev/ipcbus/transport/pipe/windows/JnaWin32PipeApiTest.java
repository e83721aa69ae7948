package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.spi.TransportProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JnaWin32PipeApiTest {
    @Test
    void shouldLoadNothingNativeWhenConstructed() {
        assertNotNull(new JnaWin32PipeApi(), "JNA interfaces live in holders, loaded on first call only");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void shouldReportWindowsLayerUnavailableOffWindowsWithoutThrowing() {
        final String cause = WindowsPipeSupport.unavailabilityCause();
        assertNotNull(cause);
        assertTrue(cause.startsWith("named pipes unavailable"), cause);
        assertTrue(TransportProvider.class.isInterface());
    }
}
