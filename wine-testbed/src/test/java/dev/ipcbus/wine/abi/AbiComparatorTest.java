// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import com.sun.jna.Library;
import dev.ipcbus.platform.windows.Kernel32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparator against recorded probe output ({@code abiprobe-output.txt}: the probe's output under Wine 8 with
 * mingw-w64 12, import lines included; regenerate it by copying
 * {@code wine-testbed/target/abiprobe/abiprobe-output.txt}
 * after {@code PlatformWindowsAbiIT} when the probe's lists change). No Wine needed.
 */
class AbiComparatorTest {
    private static ProbeOutput recorded;

    @BeforeAll
    static void readRecordedOutput() throws IOException {
        try (InputStream in = AbiComparatorTest.class.getResourceAsStream("abiprobe-output.txt")) {
            assertNotNull(in, "abiprobe-output.txt");
            recorded = ProbeOutput.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldFindNoDifferenceInCorrectDeclarations() {
        final List<String> differences = AbiComparator.compare(recorded, SeededMistakes.correct());

        assertTrue(differences.isEmpty(), () -> AbiComparator.describe(differences));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.ipcbus.wine.abi.SeededMistakes#all")
    void shouldReportEachSeededMistake(final SeededMistakes.Mistake mistake) {
        final List<String> differences = AbiComparator.compare(recorded, mistake.declarations());

        assertTrue(differences.stream().anyMatch(difference -> difference.contains(mistake.expected())),
            () -> mistake + ": expected a difference containing\n  " + mistake.expected() + "\ngot\n  "
                + String.join("\n  ", differences));
    }

    /**
     * The comparator takes each method name as the export name and each Java type as JNA passes it by default: that
     * holds only while platform-windows loads its libraries with no function or type mapper, as agreed.
     */
    @Test
    void shouldCompareAgainstLibrariesLoadedWithoutMappers() throws ReflectiveOperationException {
        final Field options = Class.forName(Kernel32.class.getPackageName() + ".Win32Libraries")
            .getDeclaredField("OPTIONS");
        options.setAccessible(true);

        assertEquals(Set.of(Library.OPTION_CALLING_CONVENTION), ((Map<?, ?>) options.get(null)).keySet());
    }

    @Test
    void shouldReadTheHeadersViewOfAFunction() {
        final ProbeOutput.Function readFile = recorded.functions().get("ReadFile");

        assertEquals("kernel32", readFile.dll());
        assertEquals(List.of("HANDLE", "LPVOID", "DWORD", "LPDWORD", "LPOVERLAPPED"),
            readFile.params().stream().map(ProbeOutput.Param::cType).toList());
        assertEquals(List.of("p8>void", "p8>void", "i4", "p8>4", "p8>32"),
            readFile.params().stream().map(param -> param.type().toString()).toList());
        assertEquals("i4", readFile.returns().type().toString());
        assertTrue(recorded.imports("kernel32").contains("ReadFile"));
    }
}
