// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Kernel32;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds platform-windows' JNA declarations to mingw-w64's Windows headers and import libraries, through the ABI probe
 * built with mingw and run under Wine; and runs the descriptor our current-user security builder produces through
 * Windows' own checks. Skipped, with the reason, where Wine or mingw is missing.
 */
@Timeout(300)
class PlatformWindowsAbiIT {
    private static AbiProbe probe;
    private static ProbeOutput output;

    @BeforeAll
    static void buildAndRunProbe() {
        WineAvailability.assumeAvailable();
        probe = AbiProbe.build(WineSession.get());
        output = probe.abi();
    }

    @Test
    void shouldAgreeWithTheHeadersForEveryDeclaration() {
        final AbiComparator.Declarations declarations = AbiComparator.Declarations.ofPackage(Kernel32.class);

        final List<String> differences = AbiComparator.compare(output, declarations);

        assertTrue(output.errors().isEmpty(), () -> "the probe failed: " + output.errors());
        assertFalse(declarations.bindings().isEmpty(), "no JNA library interface found in platform-windows");
        assertFalse(declarations.structures().isEmpty(), "no JNA structure found in platform-windows");
        assertTrue(differences.isEmpty(), () -> AbiComparator.describe(differences));
    }

    @Test
    void shouldReportEverySeededMistakeAgainstTheLiveHeaders() {
        final List<String> correct = AbiComparator.compare(output, SeededMistakes.correct());
        assertTrue(correct.isEmpty(), () -> AbiComparator.describe(correct));
        for (final SeededMistakes.Mistake mistake : SeededMistakes.all()) {
            final List<String> differences = AbiComparator.compare(output, mistake.declarations());
            assertTrue(differences.stream().anyMatch(difference -> difference.contains(mistake.expected())),
                () -> mistake + ": expected " + mistake.expected() + ", got " + differences);
        }
    }

    @Test
    void shouldBuildACurrentUserOnlyDescriptorThatWindowsAccepts() {
        final String user = output.user();
        final String sddl = CurrentUserSecurity.currentUserOnly(user);

        final ProbeOutput.Descriptor descriptor = probe.descriptors(Map.of(), Map.of("current-user", sddl))
            .descriptors().get("current-user");

        assertTrue(DescriptorCheck.problems(descriptor, user).isEmpty(),
            () -> String.join("\n", DescriptorCheck.problems(descriptor, user)));
        assertEquals(sddl, descriptor.fact("sddl"), "SDDL of the converted descriptor");
    }

    @Test
    void shouldReportDescriptorsThatAreNotCurrentUserOnlyOrNotWellFormed() {
        final String user = output.user();
        final Map<String, String> sddl = new LinkedHashMap<>();
        sddl.put("everyone", "D:P(A;;GA;;;WD)");
        sddl.put("unprotected", "D:(A;;GA;;;" + user + ")");
        sddl.put("other-owner", "O:SYD:P(A;;GA;;;" + user + ")");
        final Map<String, byte[]> binary = new LinkedHashMap<>();
        // a self-relative header whose owner offset points past the end
        binary.put("owner-past-end", HexFormat.of().parseHex("0100048014000000000000000000000000000000"));
        binary.put("truncated", HexFormat.of().parseHex("01000480"));

        final ProbeOutput checked = probe.descriptors(binary, sddl);

        assertProblem(checked, user, "everyone", "is not an allow entry for the current user");
        assertProblem(checked, user, "unprotected", "lacks SE_SELF_RELATIVE, SE_DACL_PRESENT or SE_DACL_PROTECTED");
        assertProblem(checked, user, "other-owner", "owner=S-1-5-18");
        assertProblem(checked, user, "owner-past-end", "layout=owner-out-of-bounds");
        assertProblem(checked, user, "truncated", "layout=short");
    }

    private static void assertProblem(final ProbeOutput checked, final String user, final String label,
        final String expected) {
        final List<String> problems = DescriptorCheck.problems(checked.descriptors().get(label), user);
        assertTrue(problems.stream().anyMatch(problem -> problem.contains(expected)),
            () -> label + ": expected a problem containing '" + expected + "', got " + problems);
    }
}
