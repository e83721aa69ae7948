package dev.ipcbus.transport.mailslot.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SelfRelativeSecurityDescriptorTest {
    @Test
    void shouldMatchTheOffsetsInTheDiagram() {
        assertEquals(0, SelfRelativeSecurityDescriptor.REVISION_OFFSET);
        assertEquals(1, SelfRelativeSecurityDescriptor.SBZ1_OFFSET);
        assertEquals(2, SelfRelativeSecurityDescriptor.CONTROL_OFFSET);
        assertEquals(4, SelfRelativeSecurityDescriptor.OWNER_OFFSET);
        assertEquals(8, SelfRelativeSecurityDescriptor.GROUP_OFFSET);
        assertEquals(12, SelfRelativeSecurityDescriptor.SACL_OFFSET);
        assertEquals(16, SelfRelativeSecurityDescriptor.DACL_OFFSET);
        assertEquals(20, SelfRelativeSecurityDescriptor.OWNER_SID_OFFSET);
        assertEquals((short)0x9004, SelfRelativeSecurityDescriptor.CONTROL);
    }

    @Test
    void shouldConvertSidStringsLikeConvertStringSidToSid() {
        // Binary forms as Windows documents them (identifier authority big-endian, sub-authorities little-endian).
        assertArrayEquals(bytes("01 01 00 00 00 00 00 05 12 00 00 00"),
            SelfRelativeSecurityDescriptor.sidToBytes("S-1-5-18"));
        assertArrayEquals(bytes("01 05 00 00 00 00 00 05 15 00 00 00 DC F4 DC 3B 83 3D 2B 46 82 8B A6 28 00 02 00 00"),
            SelfRelativeSecurityDescriptor.sidToBytes("S-1-5-21-1004336348-1177238915-682003330-512"));
        assertArrayEquals(bytes("01 01 00 00 00 00 00 01 00 00 00 00"),
            SelfRelativeSecurityDescriptor.sidToBytes("S-1-1-0"));
    }

    @Test
    void shouldRefuseMalformedSids() {
        for (final String bad : new String[] {"", "S-1", "S-1-5", "S-2-5-18", "X-1-5-18", "S-1-5-x", "S-1-5--1",
            "S-1-5-4294967296", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16"}) {
            assertThrows(IllegalArgumentException.class, () -> SelfRelativeSecurityDescriptor.sidToBytes(bad), bad);
        }
    }

    @Test
    void shouldBuildOwnerAndProtectedDaclForTheUserOnly() {
        final byte[] expected = bytes(
            // SECURITY_DESCRIPTOR_RELATIVE: revision 1, control 0x9004, owner at 20, no group, no SACL, DACL at 32
            "01 00 04 90 14 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00"
                // owner SID S-1-5-18
                + " 01 01 00 00 00 00 00 05 12 00 00 00"
                // ACL: revision 2, size 28, one ACE
                + " 02 00 1C 00 01 00 00 00"
                // ACCESS_ALLOWED_ACE: type 0, flags 0, size 20, mask FILE_ALL_ACCESS, SID
                + " 00 00 14 00 FF 01 1F 00 01 01 00 00 00 00 00 05 12 00 00 00");
        assertArrayEquals(expected, SelfRelativeSecurityDescriptor.forUser("S-1-5-18"));
    }

    @Test
    void shouldSizeTheDescriptorForLongSids() {
        final byte[] descriptor = SelfRelativeSecurityDescriptor.forUser(FakeWin32MailslotApi.USER_SID);
        final int sidLength = 8 + 4 * 5;
        assertEquals(20 + sidLength + 8 + 8 + sidLength, descriptor.length);
        assertEquals(20 + sidLength, descriptor[16] & 0xFF, "DACL offset");
    }

    private static byte[] bytes(final String hex) {
        final String[] parts = hex.trim().split("\\s+");
        final byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
