// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurrentUserSecurityTest {
    private final FakeWin32 win32 = new FakeWin32();

    @Test
    void shouldTakeTheSidFromTheProcessTokensTokenUser() {
        assertEquals(FakeWin32.USER_SID, CurrentUserSecurity.currentUserSid(win32));
        assertEquals(0, win32.openHandles(), "the token is closed");
    }

    @Test
    void shouldRetryGetTokenInformationWithTheSizeItAsksFor() {
        win32.failNext("GetTokenInformation", WinError.ERROR_INSUFFICIENT_BUFFER, 1);
        assertEquals(FakeWin32.USER_SID, CurrentUserSecurity.currentUserSid(win32));
    }

    @Test
    void shouldBuildAProtectedDaclForTheCurrentUserOnlyAndFreeItOnce() {
        final CurrentUserSecurity security = CurrentUserSecurity.create(win32);
        assertEquals("D:P(A;;GA;;;" + FakeWin32.USER_SID + ")", security.sddl());
        final SECURITY_ATTRIBUTES attributes = security.attributes();
        assertEquals(attributes.size(), attributes.nLength);
        assertEquals(security.descriptor(), com.sun.jna.Pointer.nativeValue(attributes.lpSecurityDescriptor));
        assertEquals(1, win32.liveDescriptors());
        security.close();
        security.close();
        assertEquals(0, win32.liveDescriptors());
        assertThrows(IllegalStateException.class, security::attributes);
    }

    @Test
    void shouldReportAFailedConversionAsAWin32ExceptionNamingTheFunction() {
        win32.failNext("ConvertStringSecurityDescriptorToSecurityDescriptorW", WinError.ERROR_INVALID_PARAMETER, 1);
        final Win32Exception failure = assertThrows(Win32Exception.class, () -> CurrentUserSecurity.create(win32));
        assertEquals("ConvertStringSecurityDescriptorToSecurityDescriptorW", failure.function());
        assertEquals(WinError.ERROR_INVALID_PARAMETER, failure.code());
        assertTrue(failure.getMessage().contains("fake error 87"), failure.getMessage());
        assertEquals(0, win32.liveDescriptors());
    }

    @Test
    void shouldReportAFailedTokenReadAndCloseTheToken() {
        win32.failNext("ConvertSidToStringSidW", WinError.ERROR_NONE_MAPPED, 1);
        final Win32Exception failure = assertThrows(Win32Exception.class,
            () -> CurrentUserSecurity.currentUserSid(win32));
        assertEquals("ConvertSidToStringSidW", failure.function());
        assertEquals(0, win32.openHandles());
    }

    @Test
    void shouldRefuseSomethingThatIsNotASid() {
        assertThrows(IllegalArgumentException.class, () -> CurrentUserSecurity.currentUserOnly("WD"));
        assertThrows(IllegalArgumentException.class, () -> CurrentUserSecurity.currentUserOnly("S-1-5-21-1)(A;;GA;;;WD"));
        assertThrows(IllegalArgumentException.class, () -> CurrentUserSecurity.currentUserOnly(null));
    }

    @Test
    void shouldCheckHandlesAndBooleansWithTheLastError() {
        final Win32Exception missing = assertThrows(Win32Exception.class, () -> Win32Exception.checkHandle(win32,
            win32.OpenFileMappingW(Win32Constants.FILE_MAP_READ, false, "Local\\missing"), "OpenFileMappingW", ""));
        assertEquals(WinError.ERROR_FILE_NOT_FOUND, missing.code());
        assertNull(Win32Exception.closeHandle(win32, 0, "", null));
        final RuntimeException closed = Win32Exception.closeHandle(win32, 0x7777, "name=x", null);
        assertEquals(WinError.ERROR_INVALID_HANDLE, ((Win32Exception) closed).code());
    }
}
