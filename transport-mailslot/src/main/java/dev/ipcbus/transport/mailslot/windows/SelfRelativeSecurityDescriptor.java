package dev.ipcbus.transport.mailslot.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layout and builder of the self-relative security descriptor every mailslot is created with: owner = the current
 * user, a protected DACL with one ACE that grants the current user {@code FILE_ALL_ACCESS}; no group, no SACL. Nobody
 * else may open the slot, for reading or writing. (The default descriptor would give everyone read access.)
 * <p>
 * Built in Java as bytes, so it is the same on every OS and unit-tested off Windows; the OS only receives it in
 * {@code SECURITY_ATTRIBUTES}. Sections, in order, with no padding (every part is a multiple of 4 bytes):
 * <pre>
 *   SECURITY_DESCRIPTOR_RELATIVE   20 bytes   at 0
 *   owner SID                      8 + 4 * n  at {@link #OWNER_SID_OFFSET}
 *   DACL: ACL header               8 bytes    at {@link #OWNER_SID_OFFSET} + SID length
 *         ACCESS_ALLOWED_ACE       8 + SID length
 * </pre>
 * SECURITY_DESCRIPTOR_RELATIVE:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  Revision = 1 |   Sbz1 = 0    |   Control (SR|PD|DP = 0x9004) |  0
 *  +---------------+---------------+-------------------------------+
 *  |                  Owner offset (= 20)                          |  4
 *  +---------------------------------------------------------------+
 *  |                  Group offset (= 0: none)                     |  8
 *  +---------------------------------------------------------------+
 *  |                  Sacl offset (= 0: none)                      | 12
 *  +---------------------------------------------------------------+
 *  |                  Dacl offset                                  | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * SID ({@code n} sub-authorities, 1 to 15) and ACL with its one ACE:
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  |  Revision = 1 |       n       |  IdentifierAuthority (48,     |  0
 *  +---------------+---------------+       big-endian)             |
 *  |                                                               |  4
 *  +---------------------------------------------------------------+
 *  |                  SubAuthority[0 .. n-1], 32 bits each         |  8
 *  +---------------------------------------------------------------+
 *
 *  +---------------+---------------+-------------------------------+
 *  | AclRevision=2 |   Sbz1 = 0    |            AclSize            |  0
 *  +---------------+---------------+-------------------------------+
 *  |         AceCount = 1          |           Sbz2 = 0            |  4
 *  +---------------+---------------+-------------------------------+
 *  | AceType = 0   | AceFlags = 0  |            AceSize            |  8
 *  | (ALLOWED)     |               |                               |
 *  +---------------+---------------+-------------------------------+
 *  |                  Mask = FILE_ALL_ACCESS (0x001F01FF)          | 12
 *  +---------------------------------------------------------------+
 *  |                  SID of the user                            ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 * Byte order: little-endian for every multi-byte field except the SID's 48-bit identifier authority, which Windows
 * stores big-endian. Flags in Control: {@code SR} = {@code SE_SELF_RELATIVE} (0x8000), {@code PD} =
 * {@code SE_DACL_PROTECTED} (0x1000, no inherited ACEs), {@code DP} = {@code SE_DACL_PRESENT} (0x0004). Nothing reads
 * this concurrently: it is built, passed to {@code CreateMailslot}, and dropped.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class SelfRelativeSecurityDescriptor {
    /** {@code SECURITY_DESCRIPTOR_REVISION}. */
    public static final byte SECURITY_DESCRIPTOR_REVISION = 1;
    /** {@code ACL_REVISION}. */
    public static final byte ACL_REVISION = 2;
    /** {@code SID_REVISION}. */
    public static final byte SID_REVISION = 1;
    /** {@code SID_MAX_SUB_AUTHORITIES}. */
    public static final int SID_MAX_SUB_AUTHORITIES = 15;
    /** {@code ACCESS_ALLOWED_ACE_TYPE}. */
    public static final byte ACCESS_ALLOWED_ACE_TYPE = 0;
    /** {@code FILE_ALL_ACCESS}: every right on a file object, which a mailslot is. */
    public static final int FILE_ALL_ACCESS = 0x001F01FF;
    /** {@code SE_DACL_PRESENT}. */
    public static final short SE_DACL_PRESENT = 0x0004;
    /** {@code SE_DACL_PROTECTED}. */
    public static final short SE_DACL_PROTECTED = 0x1000;
    /** {@code SE_SELF_RELATIVE}. */
    public static final short SE_SELF_RELATIVE = (short)0x8000;
    /** The control word this class writes. */
    public static final short CONTROL = (short)(SE_SELF_RELATIVE | SE_DACL_PROTECTED | SE_DACL_PRESENT);

    /** Offset of the 8-bit revision. */
    public static final int REVISION_OFFSET;
    /** Offset of the 8-bit Sbz1. */
    public static final int SBZ1_OFFSET;
    /** Offset of the 16-bit control flags. */
    public static final int CONTROL_OFFSET;
    /** Offset of the 32-bit owner SID offset. */
    public static final int OWNER_OFFSET;
    /** Offset of the 32-bit group SID offset. */
    public static final int GROUP_OFFSET;
    /** Offset of the 32-bit SACL offset. */
    public static final int SACL_OFFSET;
    /** Offset of the 32-bit DACL offset. */
    public static final int DACL_OFFSET;
    /** Length of SECURITY_DESCRIPTOR_RELATIVE; the owner SID starts here. */
    public static final int OWNER_SID_OFFSET;

    /** Length of the SID's fixed part (revision, count, identifier authority). */
    public static final int SID_HEADER_LENGTH = 8;
    /** Length of the ACL header. */
    public static final int ACL_HEADER_LENGTH = 8;
    /** Length of an ACCESS_ALLOWED_ACE before its SID (header and mask). */
    public static final int ACE_HEADER_LENGTH = 8;

    static {
        int offset = 0;
        REVISION_OFFSET = offset;
        offset += Byte.BYTES;
        SBZ1_OFFSET = offset;
        offset += Byte.BYTES;
        CONTROL_OFFSET = offset;
        offset += Short.BYTES;
        OWNER_OFFSET = offset;
        offset += Integer.BYTES;
        GROUP_OFFSET = offset;
        offset += Integer.BYTES;
        SACL_OFFSET = offset;
        offset += Integer.BYTES;
        DACL_OFFSET = offset;
        offset += Integer.BYTES;
        OWNER_SID_OFFSET = offset;
    }

    private SelfRelativeSecurityDescriptor() {
    }

    /**
     * Builds the descriptor for one user.
     *
     * @param userSid the user's SID in string form, e.g. {@code S-1-5-21-1004336348-1177238915-682003330-512}.
     * @return the self-relative descriptor's bytes.
     * @throws IllegalArgumentException if the SID string is malformed.
     */
    public static byte[] forUser(final String userSid) {
        final byte[] sid = sidToBytes(userSid);
        final int aceSize = ACE_HEADER_LENGTH + sid.length;
        final int aclSize = ACL_HEADER_LENGTH + aceSize;
        final int daclOffset = OWNER_SID_OFFSET + sid.length;
        final ByteBuffer out = ByteBuffer.allocate(daclOffset + aclSize).order(ByteOrder.LITTLE_ENDIAN);
        out.put(REVISION_OFFSET, SECURITY_DESCRIPTOR_REVISION);
        out.put(SBZ1_OFFSET, (byte)0);
        out.putShort(CONTROL_OFFSET, CONTROL);
        out.putInt(OWNER_OFFSET, OWNER_SID_OFFSET);
        out.putInt(GROUP_OFFSET, 0);
        out.putInt(SACL_OFFSET, 0);
        out.putInt(DACL_OFFSET, daclOffset);
        out.position(OWNER_SID_OFFSET);
        out.put(sid);
        out.put(ACL_REVISION);
        out.put((byte)0);
        out.putShort((short)aclSize);
        out.putShort((short)1);
        out.putShort((short)0);
        out.put(ACCESS_ALLOWED_ACE_TYPE);
        out.put((byte)0);
        out.putShort((short)aceSize);
        out.putInt(FILE_ALL_ACCESS);
        out.put(sid);
        return out.array();
    }

    /**
     * Converts a SID string to its binary form, as {@code ConvertStringSidToSid} does for the {@code S-R-I-S…} form.
     *
     * @param text e.g. {@code S-1-5-18}; the authority in decimal, or in hex with {@code 0x} when 2^32 or more.
     * @return the SID's bytes.
     * @throws IllegalArgumentException if the text is not a SID with 1 to 15 sub-authorities.
     */
    public static byte[] sidToBytes(final String text) {
        final String[] parts = text.split("-", -1);
        if (parts.length < 4 || !parts[0].equalsIgnoreCase("S") || !parts[1].equals("1")) {
            throw new IllegalArgumentException("malformed SID: sid=" + text);
        }
        final int count = parts.length - 3;
        if (count > SID_MAX_SUB_AUTHORITIES) {
            throw new IllegalArgumentException("too many SID sub-authorities: sid=" + text + ", max="
                + SID_MAX_SUB_AUTHORITIES);
        }
        final long authority = parseNumber(parts[2], 0xFFFF_FFFF_FFFFL, text);
        final ByteBuffer out = ByteBuffer.allocate(SID_HEADER_LENGTH + Integer.BYTES * count)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.put(SID_REVISION);
        out.put((byte)count);
        for (int shift = 40; shift >= 0; shift -= 8) {
            out.put((byte)(authority >>> shift));
        }
        for (int i = 0; i < count; i++) {
            out.putInt((int)parseNumber(parts[3 + i], 0xFFFF_FFFFL, text));
        }
        return out.array();
    }

    private static long parseNumber(final String part, final long max, final String sid) {
        try {
            final long value = part.startsWith("0x") || part.startsWith("0X")
                ? Long.parseLong(part.substring(2), 16) : Long.parseLong(part);
            if (value < 0 || value > max || part.isEmpty()) {
                throw new NumberFormatException(part);
            }
            return value;
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("malformed SID: sid=" + sid + ", part=" + part, ex);
        }
    }
}
