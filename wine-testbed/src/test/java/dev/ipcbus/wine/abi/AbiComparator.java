// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares JNA declarations with what the ABI probe read from mingw-w64's Windows headers and import libraries, and
 * lists every difference, each naming the function and parameter, constant or field, with both values.
 * <p>
 * Checked: for each method of a library interface, that the probe lists a function of that export name, in that
 * library, exported by its import library and found at run time, with as many parameters, each passed (as JNA passes
 * the Java type on Win64, see {@link Win64Jna}) as the header's type requires, and the same return; for each constant
 * (a public static final integer field whose name the probe lists, or that is written like a Win32 constant,
 * {@code UPPER_CASE}), the header's value; for each {@code Structure}, its Win64 size and alignment and each field's
 * offset and width. Plain Java: give it the probe's output as text.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class AbiComparator {
    private static final Pattern WIN32_CONSTANT = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)+");

    private AbiComparator() {
    }

    /**
     * A JNA library interface and the DLL it is loaded from.
     *
     * @param dll          e.g. {@code kernel32}.
     * @param declarations the interface.
     */
    record Binding(String dll, Class<?> declarations) {
        /**
         * @param declarations an interface named after its DLL ({@code Kernel32} is loaded from {@code kernel32}).
         * @return the binding.
         */
        static Binding of(final Class<?> declarations) {
            return new Binding(declarations.getSimpleName().toLowerCase(Locale.ROOT), declarations);
        }
    }

    /**
     * Everything to compare: library interfaces, classes whose constants to check, and structures.
     *
     * @param bindings   the library interfaces.
     * @param constants  classes (and interfaces) holding Win32 constants.
     * @param structures the JNA structures.
     */
    record Declarations(List<Binding> bindings, List<Class<?>> constants, List<Class<? extends Structure>> structures) {
        /**
         * Finds the declarations of a package, as platform-windows keeps them: every interface extending JNA's
         * {@code Library} is a binding named after its DLL, every {@code Structure} is a structure, and every class may
         * hold constants.
         *
         * @param anchor any class of the package.
         * @return the package's declarations.
         */
        static Declarations ofPackage(final Class<?> anchor) {
            final List<Binding> bindings = new ArrayList<>();
            final List<Class<? extends Structure>> structures = new ArrayList<>();
            final List<Class<?>> classes = classesOf(anchor);
            for (final Class<?> type : classes) {
                if (type.isInterface() && Library.class.isAssignableFrom(type)) {
                    bindings.add(Binding.of(type));
                } else if (Structure.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                    structures.add(type.asSubclass(Structure.class));
                }
            }
            return new Declarations(bindings, classes, structures);
        }
    }

    /**
     * @param probe        what the probe printed.
     * @param declarations the JNA side.
     * @return one line per difference; empty if they agree.
     */
    static List<String> compare(final ProbeOutput probe, final Declarations declarations) {
        final List<String> differences = new ArrayList<>();
        for (final Binding binding : declarations.bindings()) {
            for (final Method method : methods(binding.declarations())) {
                compareFunction(probe, binding, method, differences);
            }
        }
        for (final Class<?> holder : declarations.constants()) {
            compareConstants(probe, holder, differences);
        }
        for (final Class<? extends Structure> structure : declarations.structures()) {
            compareStructure(probe, structure, differences);
        }
        return differences;
    }

    private static void compareFunction(final ProbeOutput probe, final Binding binding, final Method method,
        final List<String> differences) {
        final String where = binding.declarations().getSimpleName() + "." + method.getName();
        final ProbeOutput.Function function = probe.functions().get(method.getName());
        if (function == null) {
            final String wide = probe.functions().containsKey(method.getName() + "W")
                ? " (the export is " + method.getName() + "W)" : "";
            differences.add(where + ": no such export among the probe's functions" + wide
                + "; if it is one, add it to ABI_FUNCTIONS in abiprobe.c");
            return;
        }
        if (!function.dll().equals(binding.dll())) {
            differences.add(where + ": declared in the " + binding.dll() + " binding, exported by " + function.dll());
        }
        if (!probe.imports(function.dll()).contains(function.name())) {
            differences.add(where + ": not exported by mingw's import library lib" + function.dll() + ".a");
        }
        if (!function.resolved()) {
            differences.add(where + ": GetProcAddress found no " + function.name() + " in " + function.dll()
                + ".dll at run time");
        }
        final Class<?>[] javaParams = method.getParameterTypes();
        final List<ProbeOutput.Param> cParams = function.params();
        if (javaParams.length != cParams.size()) {
            differences.add(where + ": " + javaParams.length + " parameters, the header has " + cParams.size() + " ("
                + cParams.stream().map(ProbeOutput.Param::cType).collect(Collectors.joining(", ")) + ")");
        }
        for (int i = 0; i < Math.min(javaParams.length, cParams.size()); i++) {
            compareType(where + " parameter " + (i + 1), javaParams[i], cParams.get(i), differences);
        }
        compareType(where + " return", method.getReturnType(), function.returns(), differences);
    }

    private static void compareType(final String where, final Class<?> javaType, final ProbeOutput.Param header,
        final List<String> differences) {
        if (NativeLong.class.isAssignableFrom(javaType)) {
            differences.add(where + ": " + javaType.getSimpleName() + " is 4 bytes on Win64 but 8 on Linux (the Wine "
                + "shim); declare the header's " + header.cType() + " as int");
            return;
        }
        final AbiType java;
        try {
            java = Win64Jna.argument(javaType);
        } catch (final IllegalArgumentException ex) {
            differences.add(where + ": " + ex.getMessage());
            return;
        }
        if (!java.matches(header.type())) {
            differences.add(where + ": Java " + javaType.getSimpleName() + " passes " + java + ", the header's "
                + header.cType() + " is " + header.type());
        }
    }

    private static void compareConstants(final ProbeOutput probe, final Class<?> holder,
        final List<String> differences) {
        for (final Field field : holder.getDeclaredFields()) {
            final int modifiers = field.getModifiers();
            final Class<?> type = field.getType();
            if (!Modifier.isPublic(modifiers) || !Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)
                || !(type == int.class || type == long.class || type == short.class || type == byte.class)) {
                continue;
            }
            final String where = holder.getSimpleName() + "." + field.getName();
            final ProbeOutput.Constant header = probe.constants().get(field.getName());
            if (header == null) {
                if (WIN32_CONSTANT.matcher(field.getName()).matches()) {
                    differences.add(where + ": not among the probe's constants; if it is a Win32 constant, add it to "
                        + "ABI_CONSTANTS in abiprobe.c");
                }
                continue;
            }
            final long java = value(field);
            final int javaBits = type == long.class ? 64 : type == int.class ? 32 : type == short.class ? 16 : 8;
            final int bits = Math.min(javaBits, header.size() * 8);
            final long mask = bits == 64 ? -1L : (1L << bits) - 1;
            if ((java & mask) != (header.value() & mask) || !fits(header.value(), javaBits)) {
                differences.add(where + " = " + java + " (0x" + Long.toHexString(java & mask) + "), the header's "
                    + field.getName() + " = " + header.value() + " (0x" + Long.toHexString(header.value() & mask)
                    + ")");
            }
        }
    }

    /** Whether a header value survives a Java field of that many bits (as signed or as unsigned). */
    private static boolean fits(final long value, final int bits) {
        return bits == 64 || value >= -(1L << (bits - 1)) && value < (1L << bits);
    }

    private static long value(final Field field) {
        try {
            return ((Number) field.get(null)).longValue();
        } catch (final IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void compareStructure(final ProbeOutput probe, final Class<? extends Structure> type,
        final List<String> differences) {
        final String name = type.getSimpleName();
        final ProbeOutput.Struct header = probe.structs().get(name);
        if (header == null) {
            differences.add(name + ": not among the probe's structures; add it to ABI_STRUCTS in abiprobe.c");
            return;
        }
        final Win64Jna.Layout java;
        try {
            java = Win64Jna.layout(type);
        } catch (final IllegalArgumentException ex) {
            differences.add(name + ": " + ex.getMessage());
            return;
        }
        if (java.size() != header.size()) {
            differences.add(name + ": size " + java.size() + " on Win64 as declared in Java, the header's sizeof is "
                + header.size());
        }
        if (java.alignment() != header.alignment()) {
            differences.add(name + ": alignment " + java.alignment() + " on Win64 as declared in Java, the header's "
                + "is " + header.alignment());
        }
        for (final Win64Jna.FieldLayout field : java.fields().values()) {
            final ProbeOutput.Field cField = header.fields().get(field.name());
            if (cField == null) {
                differences.add(name + "." + field.name() + ": no such member among the probe's fields of " + name);
            } else if (cField.offset() != field.offset() || cField.size() != field.size()) {
                differences.add(name + "." + field.name() + ": offset " + field.offset() + " size " + field.size()
                    + " on Win64 as declared in Java, the header's offset " + cField.offset() + " size "
                    + cField.size());
            }
        }
    }

    private static List<Method> methods(final Class<?> declarations) {
        return Arrays.stream(declarations.getMethods())
            .filter(method -> Modifier.isAbstract(method.getModifiers()))
            .sorted(Comparator.comparing(Method::getName))
            .toList();
    }

    /** Every class of the anchor's package (nested ones included), from its directory or jar. */
    static List<Class<?>> classesOf(final Class<?> anchor) {
        final String packagePath = anchor.getPackageName().replace('.', '/');
        try {
            final Path location = Paths.get(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return load(anchor, location.resolve(packagePath));
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                return load(anchor, jar.getPath(packagePath));
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (final URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Class<?>> load(final Class<?> anchor, final Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            final List<String> names = files.map(path -> path.getFileName().toString())
                .filter(file -> file.endsWith(".class") && !file.equals("package-info.class"))
                .map(file -> anchor.getPackageName() + "." + file.substring(0, file.length() - ".class".length()))
                .sorted()
                .toList();
            final List<Class<?>> classes = new ArrayList<>();
            for (final String name : names) {
                try {
                    classes.add(Class.forName(name, false, anchor.getClassLoader()));
                } catch (final ClassNotFoundException ex) {
                    throw new IllegalStateException("listed but not loadable: class=" + name, ex);
                }
            }
            return classes;
        }
    }

    /**
     * @param differences what {@link #compare} returned.
     * @return them as one message, one per line.
     */
    static String describe(final List<String> differences) {
        return differences.size() + " ABI difference(s) between the JNA declarations and mingw-w64's headers:\n  "
            + String.join("\n  ", differences);
    }
}
