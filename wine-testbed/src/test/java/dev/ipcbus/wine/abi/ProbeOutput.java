// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the ABI probe ({@code wine-testbed/src/main/c/abiprobe.c}) printed, parsed: the header's view of every function,
 * constant and structure it lists, the exports found in mingw's import libraries ({@code import} lines, added by
 * {@link AbiProbe}), the current user's SID, and the facts of each security descriptor it checked. The line grammar is
 * in the probe's opening comment.
 * <p>
 * <b>Thread safety:</b> immutable after construction.
 */
final class ProbeOutput {
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, Set<String>> imports = new LinkedHashMap<>();
    private final Map<String, Constant> constants = new LinkedHashMap<>();
    private final Map<String, Struct> structs = new LinkedHashMap<>();
    private final Map<String, Descriptor> descriptors = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private String user;

    /** A function as the header declares it. */
    record Function(String dll, String name, boolean resolved, Param returns, List<Param> params) {
    }

    /** A parameter or return type: its ABI type and its C spelling. */
    record Param(AbiType type, String cType) {
    }

    /** A constant's value (sign-extended to 64 bits) and the width of its C type. */
    record Constant(String name, long value, int size) {
    }

    /** A structure's size, alignment and fields. */
    record Struct(String name, int size, int alignment, Map<String, Field> fields) {
    }

    /** A structure member's offset and width. */
    record Field(String name, int offset, int size) {
    }

    /**
     * A checked security descriptor: its {@code key=value} facts ({@code layout}, {@code valid}, {@code owner},
     * {@code roundtrip}...) and one fact map per DACL entry ({@code type}, {@code flags}, {@code mask}, {@code sid}).
     */
    record Descriptor(String label, Map<String, String> facts, List<Map<String, String>> aces) {
        String fact(final String key) {
            return facts.getOrDefault(key, "");
        }
    }

    /**
     * @param text the probe's standard output.
     * @return the parsed facts.
     * @throws IllegalArgumentException if a line does not follow the grammar.
     */
    static ProbeOutput parse(final String text) {
        final ProbeOutput out = new ProbeOutput();
        final Map<String, List<Param>> params = new LinkedHashMap<>();
        final Map<String, Param> returns = new LinkedHashMap<>();
        final Map<String, String[]> declared = new LinkedHashMap<>();
        for (final String line : text.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            final String[] f = line.split(" ", 5);
            try {
                switch (f[0]) {
                    case "probe" -> {
                    }
                    case "user" -> out.user = f[1];
                    case "function" -> declared.put(f[2], f);
                    case "import" -> out.imports.computeIfAbsent(f[1], dll -> new HashSet<>()).add(f[2]);
                    case "return" -> returns.put(f[1], new Param(AbiType.parse(f[2]), rest(line, 3)));
                    case "param" -> params.computeIfAbsent(f[1], name -> new ArrayList<>())
                        .add(Integer.parseInt(f[2]) - 1, new Param(AbiType.parse(f[3]), rest(line, 4)));
                    case "constant" -> out.constants.put(f[1],
                        new Constant(f[1], Long.parseLong(f[2]), Integer.parseInt(f[3])));
                    case "struct" -> out.structs.put(f[1], new Struct(f[1], Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]), new LinkedHashMap<>()));
                    case "field" -> out.structs.get(f[1]).fields().put(f[2],
                        new Field(f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4])));
                    case "sd" -> out.descriptors.put(f[1], new Descriptor(f[1], facts(line, 2), new ArrayList<>()));
                    case "ace" -> out.descriptors.get(f[1]).aces().add(facts(line, 3));
                    case "error" -> out.errors.add(line);
                    default -> throw new IllegalArgumentException("unknown line kind");
                }
            } catch (final RuntimeException ex) {
                throw new IllegalArgumentException("malformed probe output: line=" + line, ex);
            }
        }
        declared.forEach((name, f) -> out.functions.put(name, new Function(f[1], name, f[3].equals("1"),
            returns.get(name), List.copyOf(params.getOrDefault(name, List.of())))));
        return out;
    }

    private static String rest(final String line, final int fields) {
        return line.split(" ", fields + 1)[fields];
    }

    private static Map<String, String> facts(final String line, final int skip) {
        final Map<String, String> facts = new LinkedHashMap<>();
        final String[] words = line.split(" ");
        for (int i = skip; i < words.length; i++) {
            final int eq = words[i].indexOf('=');
            facts.put(eq < 0 ? words[i] : words[i].substring(0, eq), eq < 0 ? "" : words[i].substring(eq + 1));
        }
        return facts;
    }

    /** @return the functions, by export name. */
    Map<String, Function> functions() {
        return functions;
    }

    /**
     * @param dll a library name, e.g. {@code kernel32}.
     * @return the listed functions that its mingw import library exports.
     */
    Set<String> imports(final String dll) {
        return imports.getOrDefault(dll, Set.of());
    }

    /** @return the constants, by name. */
    Map<String, Constant> constants() {
        return constants;
    }

    /** @return the structures, by name. */
    Map<String, Struct> structs() {
        return structs;
    }

    /** @return the checked security descriptors, by label. */
    Map<String, Descriptor> descriptors() {
        return descriptors;
    }

    /** @return the probe's own failures ({@code error} lines). */
    List<String> errors() {
        return errors;
    }

    /** @return the current user's SID under the probe, e.g. {@code S-1-5-21-0-0-0-1000} under Wine. */
    String user() {
        return user;
    }
}
