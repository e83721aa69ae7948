// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the ABI probe ({@code abiprobe.c}) with mingw-w64 and runs it under Wine. Two compiler runs: the first
 * ({@code -fsyntax-only -aux-info}) makes GCC write the header's prototype of each listed function; {@link #signatures}
 * turns those into {@code ABI_RETURN}/{@code ABI_PARAM} lines, and the second run compiles them in and links
 * kernel32 and advapi32. The output gains one {@code import <dll> <name>} line per listed function that mingw's import
 * library {@code lib<dll>.a} exports ({@code x86_64-w64-mingw32-nm}).
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to one thread.
 */
final class AbiProbe {
    /** The probe's source, a class-path resource of the test bed. */
    static final String SOURCE = "dev/ipcbus/wine/c/abiprobe.c";

    private static final Duration COMPILE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MARKER = Pattern.compile(
        "extern (.+?) abi_probe__([A-Za-z0-9]+)__([A-Za-z0-9_]+) \\((.*)\\);");

    private final WineSession session;
    private final Path directory;
    private final Path executable;

    private AbiProbe(final WineSession session, final Path directory, final Path executable) {
        this.session = session;
        this.directory = directory;
        this.executable = executable;
    }

    /**
     * Compiles the probe into {@code target/abiprobe/} of the working directory (the module's, under Maven).
     *
     * @param session the Wine session to run it in.
     * @return the built probe.
     * @throws IllegalStateException if a compiler run fails.
     */
    static AbiProbe build(final WineSession session) {
        try {
            final Path directory = Files.createDirectories(Paths.get("target", "abiprobe")).toAbsolutePath();
            final Path source = directory.resolve("abiprobe.c");
            try (InputStream in = AbiProbe.class.getClassLoader().getResourceAsStream(SOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("probe source not on the class path: resource=" + SOURCE);
                }
                Files.write(source, in.readAllBytes());
            }
            final String gcc = WineAvailability.mingwGcc().toString();
            final Path auxInfo = directory.resolve("abiprobe.aux");
            mustSucceed(WineSession.exec(List.of(gcc, "-fsyntax-only", "-aux-info", auxInfo.toString(),
                source.toString()), COMPILE_TIMEOUT), "mingw step 1 (-aux-info)");
            final Path signatures = directory.resolve("abiprobe-signatures.h");
            Files.writeString(signatures, signatures(Files.readString(auxInfo, StandardCharsets.UTF_8)));
            final Path executable = directory.resolve("abiprobe.exe");
            mustSucceed(WineSession.exec(List.of(gcc, "-O2", "-Wall",
                "-DABI_SIGNATURES=\"" + signatures + "\"", "-o", executable.toString(), source.toString(),
                "-ladvapi32"), COMPILE_TIMEOUT), "mingw step 2 (signatures, link)");
            return new AbiProbe(session, directory, executable);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Turns GCC's {@code -aux-info} prototypes of the probe's markers ({@code abi_probe__<dll>__<name>}) into the
     * probe's {@code ABI_RETURN}/{@code ABI_PARAM} lines, keeping the header's spelling of each type.
     *
     * @param auxInfo the {@code -aux-info} file's text.
     * @return the lines, one per return and parameter.
     * @throws IllegalStateException if no marker is found.
     */
    static String signatures(final String auxInfo) {
        final StringBuilder out = new StringBuilder();
        final Matcher matcher = MARKER.matcher(auxInfo);
        int count = 0;
        while (matcher.find()) {
            count++;
            final String returns = matcher.group(1).trim();
            final String name = matcher.group(3);
            out.append(returns.equals("void") ? "ABI_RETURN_VOID(" + name + ")"
                : "ABI_RETURN(" + name + ", " + returns + ")").append('\n');
            final String params = matcher.group(4).trim();
            if (params.equals("void")) {
                continue;
            }
            final List<String> types = splitTopLevel(params);
            for (int i = 0; i < types.size(); i++) {
                out.append("ABI_PARAM(").append(name).append(", ").append(i + 1).append(", ").append(types.get(i))
                    .append(")\n");
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no abi_probe__ marker in the -aux-info output");
        }
        return out.toString();
    }

    /** Splits a parameter list at its top-level commas (a function-pointer parameter has its own). */
    private static List<String> splitTopLevel(final String params) {
        final List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < params.length(); i++) {
            final char c = params.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(params.substring(start, i).trim());
                start = i + 1;
            }
        }
        parts.add(params.substring(start).trim());
        return parts;
    }

    /**
     * Runs the probe for the ABI facts and adds what the import libraries export. The text is also kept beside the
     * executable ({@code abiprobe-output.txt}), for a look after a failure.
     *
     * @return the output, parsed.
     */
    ProbeOutput abi() {
        final String text = run(List.of()).replace("\r\n", "\n");
        final ProbeOutput functions = ProbeOutput.parse(text);
        final StringBuilder imports = new StringBuilder();
        for (final String dll : functions.functions().values().stream().map(ProbeOutput.Function::dll)
            .collect(Collectors.toCollection(java.util.TreeSet::new))) {
            final Set<String> exported = exports(dll);
            functions.functions().values().stream()
                .filter(function -> function.dll().equals(dll) && exported.contains(function.name()))
                .forEach(function -> imports.append("import ").append(dll).append(' ').append(function.name())
                    .append('\n'));
        }
        try {
            Files.writeString(directory.resolve("abiprobe-output.txt"), text + imports);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return ProbeOutput.parse(text + imports);
    }

    /**
     * Runs security descriptors through the probe: {@code IsValidSecurityDescriptor}, owner and DACL, SDDL round trip.
     *
     * @param binary self-relative descriptors by label.
     * @param sddl   SDDL strings by label, converted with
     *               {@code ConvertStringSecurityDescriptorToSecurityDescriptorW}.
     * @return the output, parsed: {@link ProbeOutput#descriptors()} and {@link ProbeOutput#user()}.
     */
    ProbeOutput descriptors(final Map<String, byte[]> binary, final Map<String, String> sddl) {
        final List<String> args = new ArrayList<>();
        binary.forEach((label, bytes) -> args.addAll(List.of("sd", label, HexFormat.of().formatHex(bytes))));
        sddl.forEach((label, text) -> args.addAll(List.of("sddl", label, text)));
        return ProbeOutput.parse(run(args));
    }

    private String run(final List<String> args) {
        final WineSession.ProgramResult result = session.run(executable, args, RUN_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("the ABI probe failed under Wine: " + result);
        }
        return result.stdout();
    }

    /** The functions mingw's import library {@code lib<dll>.a} exports. */
    private static Set<String> exports(final String dll) {
        final Path gcc = WineAvailability.mingwGcc();
        final WineSession.ProgramResult library = mustSucceed(WineSession.exec(
            List.of(gcc.toString(), "-print-file-name=lib" + dll + ".a"), COMPILE_TIMEOUT), "locate lib" + dll + ".a");
        final Path nm = gcc.resolveSibling(gcc.getFileName().toString().replaceFirst("gcc$", "nm"));
        final WineSession.ProgramResult symbols = mustSucceed(WineSession.exec(
            List.of(nm.toString(), library.stdout().trim()), COMPILE_TIMEOUT), "nm lib" + dll + ".a");
        return symbols.stdout().lines()
            .map(line -> line.trim().split("\\s+"))
            .filter(f -> f.length == 3 && f[1].equals("T"))
            .map(f -> f[2])
            .collect(Collectors.toSet());
    }

    private static WineSession.ProgramResult mustSucceed(final WineSession.ProgramResult result, final String what) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " failed: " + result);
        }
        return result;
    }
}
