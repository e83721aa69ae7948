package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeSecurityTest {
    @Test
    void shouldGrantOnlyTheCurrentUserWithAProtectedDacl() {
        assertEquals("D:P(A;;GA;;;S-1-5-21-1111-2222-3333-1001)",
            PipeSecurity.currentUserOnly("S-1-5-21-1111-2222-3333-1001"));
    }

    @Test
    void shouldRefuseSomethingThatIsNotASid() {
        assertThrows(IllegalArgumentException.class, () -> PipeSecurity.currentUserOnly(null));
        assertThrows(IllegalArgumentException.class, () -> PipeSecurity.currentUserOnly("WD"));
        assertThrows(IllegalArgumentException.class, () -> PipeSecurity.currentUserOnly("S-1-5-21)(A;;GA;;;WD"));
    }

    @Test
    void shouldBuildPipeNamesAndRecogniseThem() {
        final String name = WindowsPipeNames.inboxName("orders.v2", 0x00ab_cdefL);
        assertEquals("\\\\.\\pipe\\ipcbus-orders.v2-0000000000abcdef", name);
        assertTrue(name.length() < WindowsPipeNames.MAX_NAME_LENGTH);
        assertTrue(WindowsPipeNames.isInboxNameOf(name, 0x00ab_cdefL));
        assertFalse(WindowsPipeNames.isInboxNameOf(name, 0x00ab_cdeeL));
        assertFalse(WindowsPipeNames.isInboxNameOf("\\\\.\\pipe\\other-0000000000abcdef", 0x00ab_cdefL));
        assertThrows(ConfigurationException.class, () -> WindowsPipeNames.inboxName("a\\b", 1));
        assertThrows(ConfigurationException.class, () -> WindowsPipeNames.inboxName("x".repeat(65), 1));
    }
}
