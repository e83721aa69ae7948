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
    void shouldBuildADaclForTheCurrentUserOnly() {
        assertEquals("D:P(A;;GA;;;S-1-5-21-1004336348-1177238915-682003330-1001)",
            WindowsNames.currentUserOnlySddl("S-1-5-21-1004336348-1177238915-682003330-1001"));
    }

    @Test
    void shouldRefuseSomethingThatIsNotASid() {
        assertThrows(IllegalArgumentException.class, () -> WindowsNames.currentUserOnlySddl("WD"));
        assertThrows(IllegalArgumentException.class,
            () -> WindowsNames.currentUserOnlySddl("S-1-5-21-1)(A;;GA;;;WD"));
        assertThrows(IllegalArgumentException.class, () -> WindowsNames.currentUserOnlySddl(null));
    }

    @Test
    void shouldRefuseNamesLongerThanWindowsAccepts() {
        assertThrows(IllegalArgumentException.class, () -> WindowsNames.mappingName("x".repeat(240), 1));
    }
}
