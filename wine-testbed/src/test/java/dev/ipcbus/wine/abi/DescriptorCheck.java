// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a current-user-only security descriptor must show in the probe's facts ({@link ProbeOutput.Descriptor}):
 * well-formed bytes ({@code layout=ok}), {@code IsValidSecurityDescriptor} (with {@code IsValidSid}/{@code IsValidAcl}
 * on its parts), {@code GetSecurityDescriptorLength} equal to the bytes given, self-relative, a present and protected
 * DACL, an owner that is the user if there is one, at least one entry and every entry an allow entry for the user, and
 * an SDDL round trip that gives the same bytes or the same SDDL.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class DescriptorCheck {
    private static final int SE_DACL_PRESENT = 0x0004;
    private static final int SE_DACL_PROTECTED = 0x1000;
    private static final int SE_SELF_RELATIVE = 0x8000;

    private DescriptorCheck() {
    }

    /**
     * @param descriptor the probe's facts about one descriptor.
     * @param user       the current user's SID, as the probe saw it.
     * @return one line per violation; empty if the descriptor is current-user-only and sound.
     */
    static List<String> problems(final ProbeOutput.Descriptor descriptor, final String user) {
        final String where = "security descriptor '" + descriptor.label() + "'";
        final List<String> problems = new ArrayList<>();
        if (!descriptor.fact("layout").equals("ok")) {
            problems.add(where + ": malformed: layout=" + descriptor.fact("layout") + ", " + descriptor.facts());
            return problems;
        }
        expect(problems, where, descriptor, "valid", "1");
        expect(problems, where, descriptor, "dacl", "present");
        if (!descriptor.fact("length").equals(descriptor.fact("given"))) {
            problems.add(where + ": GetSecurityDescriptorLength=" + descriptor.fact("length") + " but "
                + descriptor.fact("given") + " bytes were given");
        }
        final int control = Integer.decode(descriptor.fact("control"));
        final int required = SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_DACL_PROTECTED;
        if ((control & required) != required) {
            problems.add(where + ": control=0x" + Integer.toHexString(control) + " lacks SE_SELF_RELATIVE, "
                + "SE_DACL_PRESENT or SE_DACL_PROTECTED (0x" + Integer.toHexString(required) + ")");
        }
        final String owner = descriptor.fact("owner");
        if (!owner.equals("none") && !owner.equals(user)) {
            problems.add(where + ": owner=" + owner + ", the current user is " + user);
        }
        if (descriptor.aces().isEmpty()) {
            problems.add(where + ": the DACL has no entry, so nobody, the user included, may open the object");
        }
        for (final Map<String, String> ace : descriptor.aces()) {
            if (!ace.get("type").equals("0") || !ace.get("sid").equals(user)) {
                problems.add(where + ": DACL entry " + ace + " is not an allow entry for the current user " + user);
            }
        }
        final String roundtrip = descriptor.fact("roundtrip");
        if (!roundtrip.equals("bytes") && !roundtrip.equals("sddl")) {
            problems.add(where + ": SDDL round trip " + roundtrip + ": sddl=" + descriptor.fact("sddl"));
        }
        return problems;
    }

    private static void expect(final List<String> problems, final String where,
        final ProbeOutput.Descriptor descriptor, final String key, final String value) {
        if (!descriptor.fact(key).equals(value)) {
            problems.add(where + ": " + key + "=" + descriptor.fact(key) + ", expected " + value);
        }
    }
}
