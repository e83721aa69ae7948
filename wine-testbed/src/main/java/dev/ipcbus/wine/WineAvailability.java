// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Probes whether the Wine test bed can run here: Linux, Wine's 64-bit loader and {@code wineserver}, the mingw
 * cross compiler {@code x86_64-w64-mingw32-gcc} and the system C compiler {@code cc}. Computed once, lazily, and
 * cached (Netty's {@code Epoll} style); {@code -D}{@value #DISABLE_PROPERTY}{@code =true} turns the test bed off.
 * <p>
 * Tests call {@link #assumeAvailable()}: where the tools are missing they are <em>skipped with the reason</em>, never
 * passed. Where the tools are required ({@code -D}{@value #REQUIRED_PROPERTY}{@code =true}, or the environment
 * variable {@code CI=true}, since {@code .ci/run} installs them), a missing tool fails the test instead.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineAvailability {
    /** System property that turns the test bed off when {@code true}. */
    public static final String DISABLE_PROPERTY = "ipcbus.wine.disable";
    /** System property that makes a missing test bed a failure rather than a skip. */
    public static final String REQUIRED_PROPERTY = "ipcbus.wine.required";
    /** The mingw-w64 C compiler for 64-bit Windows targets. */
    public static final String MINGW_GCC = "x86_64-w64-mingw32-gcc";
    /** What to run to install the tools on Debian. */
    public static final String INSTALL_HINT = "install with wine-testbed/install-wine.sh (Debian: apt-get install -y "
        + "wine wine64 gcc-mingw-w64-x86-64)";

    private WineAvailability() {
    }

    /**
     * @return {@code true} if Wine tests can run here.
     */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * @return why Wine tests cannot run here, or {@code null}.
     */
    public static String unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * Skips the calling test (a JUnit assumption) with the reason when the test bed cannot run here; fails it instead
     * when the test bed is required ({@value #REQUIRED_PROPERTY} or {@code CI=true}).
     */
    public static void assumeAvailable() {
        final String cause = Probe.CAUSE;
        if (cause == null) {
            return;
        }
        if (isRequired() && !Boolean.getBoolean(DISABLE_PROPERTY)) {
            Assertions.fail("Wine test bed required here but unavailable: " + cause);
        }
        Assumptions.assumeTrue(false, "Wine test bed unavailable, Windows layer not exercised: " + cause);
    }

    /**
     * @return whether a missing test bed is a failure here.
     */
    public static boolean isRequired() {
        return Boolean.getBoolean(REQUIRED_PROPERTY) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * @return Wine's 64-bit loader ({@code /usr/lib/wine/wine64} on Debian, which puts none on the PATH).
     * @throws IllegalStateException if the test bed is unavailable.
     */
    static Path wineLoader() {
        ensureAvailable();
        return Probe.LOADER;
    }

    /**
     * @return the {@code wineserver} program.
     * @throws IllegalStateException if the test bed is unavailable.
     */
    static Path wineserver() {
        ensureAvailable();
        return Probe.SERVER;
    }

    /**
     * @return the system C compiler ({@code cc}), which builds the shim libraries.
     * @throws IllegalStateException if the test bed is unavailable.
     */
    static Path systemCc() {
        ensureAvailable();
        return Probe.CC;
    }

    /**
     * @return the mingw C compiler.
     * @throws IllegalStateException if the test bed is unavailable.
     */
    public static Path mingwGcc() {
        ensureAvailable();
        return Probe.GCC;
    }

    private static void ensureAvailable() {
        if (Probe.CAUSE != null) {
            throw new IllegalStateException("Wine test bed unavailable: " + Probe.CAUSE);
        }
    }

    private static Path findExecutable(final String... candidates) {
        for (final String candidate : candidates) {
            if (candidate.indexOf('/') >= 0) {
                final Path path = Paths.get(candidate);
                if (Files.isExecutable(path)) {
                    return path;
                }
                continue;
            }
            final String pathVariable = System.getenv("PATH");
            if (pathVariable == null) {
                continue;
            }
            for (final String directory : pathVariable.split(File.pathSeparator)) {
                if (directory.isEmpty()) {
                    continue;
                }
                final Path path = Paths.get(directory, candidate);
                if (Files.isExecutable(path) && !Files.isDirectory(path)) {
                    return path;
                }
            }
        }
        return null;
    }

    /** Runs the probe on first use only. */
    private static final class Probe {
        static final Path LOADER = findExecutable("/usr/lib/wine/wine64", "wine64", "/usr/lib/wine/wine", "wine");
        static final Path SERVER = findExecutable("/usr/lib/wine/wineserver", "wineserver64", "wineserver");
        static final Path GCC = findExecutable(MINGW_GCC);
        static final Path CC = findExecutable("cc", "gcc");
        static final String CAUSE = probe();

        private Probe() {
        }

        private static String probe() {
            if (Boolean.getBoolean(DISABLE_PROPERTY)) {
                return "disabled by -D" + DISABLE_PROPERTY + "=true";
            }
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                return "the test bed runs on Linux only: os.name=" + System.getProperty("os.name")
                    + " (on Windows, the Windows layers run natively; see docs/WINDOWS.md)";
            }
            if (LOADER == null) {
                return "Wine's loader (wine64) not found; " + INSTALL_HINT;
            }
            if (SERVER == null) {
                return "wineserver not found; " + INSTALL_HINT;
            }
            if (GCC == null) {
                return MINGW_GCC + " not found on the PATH; " + INSTALL_HINT;
            }
            if (CC == null) {
                return "the system C compiler (cc) not found on the PATH; it builds the shim libraries (Debian: "
                    + "apt-get install -y gcc)";
            }
            return null;
        }
    }
}
