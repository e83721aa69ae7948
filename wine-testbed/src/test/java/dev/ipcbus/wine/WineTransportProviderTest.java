package dev.ipcbus.wine;

import dev.ipcbus.Bus;
import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test schemes without Wine: registered, cheap, and unsupported with a stated reason where their transport's
 * factory is absent (here: no transport is on this module's class path) or Wine is missing.
 */
class WineTransportProviderTest {
    @Test
    void shouldRegisterTheThreeTestSchemes() {
        final Set<String> schemes = ServiceLoader.load(TransportProvider.class).stream()
            .map(provider -> provider.get().scheme()).collect(Collectors.toSet());
        assertTrue(schemes.containsAll(Set.of("winepipe", "winemailslot", "winefilemap")), schemes.toString());
    }

    @Test
    void shouldBeUnsupportedWithAReasonWithoutTheTransportsFactory() {
        final TransportProvider provider = new WinePipeTransportProvider();
        assertFalse(provider.isSupported());
        final String reason = provider.unsupportedReason();
        assertTrue(reason.contains("WinePipeTransportFactory") || reason.contains("Wine test bed unavailable"),
            reason);
        final TransportUnavailableException refused = assertThrows(TransportUnavailableException.class,
            () -> Bus.open("winepipe://no-factory"));
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    @Test
    void shouldSeeLinuxFilesThroughWinesZDrive() {
        assertEquals("Z:\\dev\\shm\\ipcbus-wine-1\\Local%5Cx", WineSession.windowsPath(
            Path.of("/dev/shm/ipcbus-wine-1/Local%5Cx")));
    }

    @Test
    void shouldPassStringsAsUtf16WithoutTerminator() {
        assertEquals(0, Win32Bridge.wide(null).length);
        assertEquals("\\\\.\\pipe\\é", new String(Win32Bridge.wide("\\\\.\\pipe\\é"), StandardCharsets.UTF_16LE));
        assertEquals(2 * 3, Win32Bridge.wide("abc").length);
    }
}
