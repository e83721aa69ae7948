// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The shim libraries {@code libkernel32.so} and {@code libadvapi32.so} (C sources {@code win32shim*.c} in this module):
 * Linux stand-ins for {@code kernel32.dll} and {@code advapi32.dll}, so that the production JNA binding, which loads
 * {@code "kernel32"} and {@code "advapi32"}, runs unchanged against Wine's real Win32 objects. Each export forwards its
 * call to the process's own Wine bridge, which the shim starts on first use (see {@code win32shim.c} for the ABI
 * conversions and what the shim polices).
 * <p>
 * {@link #install()} builds both with the system C compiler into the session directory, beside a configuration file
 * the shim reads ({@code win32shim.conf}: Wine loader, bridge executable, prefix, {@code /dev/shm} directory), and
 * puts that directory on JNA's search path: {@link NativeLibrary#addSearchPath} here, and the
 * {@value #LIBRARY_PATH_PROPERTY} system property, which {@code ChildJvm} forwards, for child JVMs. A child JVM then
 * needs nothing else: its shim starts its own bridge (each JVM is its own Windows process) in the same prefix, so named
 * objects are shared.
 * <p>
 * <b>Violations</b> (a buffer changed or freed during overlapped I/O, an {@code OVERLAPPED} reissued while pending,
 * a {@code LocalFree} of foreign memory) are printed to stderr and counted; {@link #takeViolations()} reads and
 * resets the count of this JVM. In a JVM that never called {@link #install()} (a child) a violation ends the process.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineShim {
    /** The system property JNA searches for native libraries, forwarded to child JVMs. */
    public static final String LIBRARY_PATH_PROPERTY = "jna.library.path";

    private static final int SE_KERNEL_OBJECT = 6;
    private static final int DACL_SECURITY_INFORMATION = 4;
    private static final int SDDL_REVISION_1 = 1;
    private static final List<String> SOURCES = List.of("win32shim.h", "win32shim.c", "win32shim_advapi32.c");
    private static final String CONFIG_FILE = "win32shim.conf";
    private static Path installed;

    private WineShim() {
    }

    /**
     * Builds the shim for this JVM's {@link WineSession} (once per session and source content) and puts it on JNA's
     * search path, here and for child JVMs.
     *
     * @return the directory holding {@code libkernel32.so}, {@code libadvapi32.so} and {@code win32shim.conf}.
     * @throws IllegalStateException if the test bed is unavailable or the compiler fails.
     */
    public static synchronized Path install() {
        final WineSession session = WineSession.get();
        if (installed != null && Files.isRegularFile(installed.resolve(CONFIG_FILE))) {
            return installed;
        }
        final Path directory = build(session);
        for (final String library : List.of("kernel32", "advapi32")) {
            NativeLibrary.addSearchPath(library, directory.toString());
        }
        final String path = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (path == null || path.isEmpty()) {
            System.setProperty(LIBRARY_PATH_PROPERTY, directory.toString());
        } else if (!List.of(path.split(java.io.File.pathSeparator)).contains(directory.toString())) {
            System.setProperty(LIBRARY_PATH_PROPERTY, directory + java.io.File.pathSeparator + path);
        }
        kernel32().getFunction("ipcbus_shim_watch_violations").invokeVoid(new Object[] {1});
        installed = directory;
        return directory;
    }

    /**
     * Reads and resets this JVM's violation count.
     *
     * @return the violations since the previous call; 0 if the shim was never loaded.
     */
    public static synchronized long takeViolations() {
        if (installed == null) {
            return 0;
        }
        return kernel32().getFunction("ipcbus_shim_take_violations").invokeLong(new Object[0]);
    }

    /**
     * @return the Linux pid of this JVM's shim bridge, 0 before the shim's first Win32 call.
     */
    public static synchronized int bridgePid() {
        return installed == null ? 0 : kernel32().getFunction("ipcbus_shim_bridge_pid").invokeInt(new Object[0]);
    }

    /**
     * Reads back the DACL Wine applied to an object of this JVM's Windows process (a handle the production binding got
     * through the shim): {@code GetSecurityInfo} + {@code ConvertSecurityDescriptorToStringSecurityDescriptorW} in the
     * shim's advapi32. A test aid: the binding itself never reads security back.
     *
     * @param handle a kernel object handle of this JVM's shim bridge.
     * @return the DACL as SDDL ({@code D:P(A;;GA;;;S-1-5-...)}).
     * @throws IllegalStateException if the shim is not installed or a call fails.
     */
    public static synchronized String daclOf(final long handle) {
        if (installed == null) {
            throw new IllegalStateException("the shim is not installed (WineShim.install())");
        }
        final NativeLibrary advapi32 = NativeLibrary.getInstance("advapi32");
        final PointerByReference descriptor = new PointerByReference();
        final int error = advapi32.getFunction("GetSecurityInfo").invokeInt(new Object[] {new Pointer(handle),
            SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, null, null, null, null, descriptor});
        if (error != 0) {
            throw new IllegalStateException("GetSecurityInfo failed: handle=" + handle + ", error=" + error);
        }
        final PointerByReference text = new PointerByReference();
        try {
            if (advapi32.getFunction("ConvertSecurityDescriptorToStringSecurityDescriptorW").invokeInt(new Object[] {
                descriptor.getValue(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, text, null}) == 0) {
                throw new IllegalStateException("ConvertSecurityDescriptorToStringSecurityDescriptorW failed: error="
                    + Native.getLastError());
            }
            final String sddl = text.getValue().getWideString(0);
            kernel32().getFunction("LocalFree").invokePointer(new Object[] {text.getValue()});
            return sddl;
        } finally {
            kernel32().getFunction("LocalFree").invokePointer(new Object[] {descriptor.getValue()});
        }
    }

    private static NativeLibrary kernel32() {
        return NativeLibrary.getInstance("kernel32");
    }

    private static Path build(final WineSession session) {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final List<byte[]> sources = new ArrayList<>();
        for (final String name : SOURCES) {
            try (InputStream in = WineShim.class.getClassLoader().getResourceAsStream(
                WineSession.resourcePath(name))) {
                if (in == null) {
                    throw new IllegalStateException("C source not on the class path: " + name);
                }
                final byte[] bytes = in.readAllBytes();
                sources.add(bytes);
                all.writeBytes(bytes);
            } catch (final IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        final String config = "loader=" + WineAvailability.wineLoader() + "\nbridge=" + session.bridgeExecutable()
            + "\nprefix=" + session.prefix() + "\nshm=" + session.shmDirectory() + "\n";
        all.writeBytes(config.getBytes(StandardCharsets.UTF_8));
        final Path directory = session.directory().resolve("shim-" + WineSession.sha256(all.toByteArray())
            .substring(0, 12));
        if (Files.isRegularFile(directory.resolve(CONFIG_FILE))) {
            return directory; // built by this session already (another JVM of it, or an earlier install)
        }
        try {
            final Path work = Files.createTempDirectory(session.directory(), "shim-build");
            for (int i = 0; i < SOURCES.size(); i++) {
                Files.write(work.resolve(SOURCES.get(i)), sources.get(i));
            }
            compile(work, "libkernel32.so", List.of(work.resolve("win32shim.c").toString(), "-lpthread"));
            compile(work, "libadvapi32.so", List.of(work.resolve("win32shim_advapi32.c").toString(),
                "-Wl,-rpath,$ORIGIN", "-L" + work, "-lkernel32"));
            Files.writeString(work.resolve(CONFIG_FILE), config);
            try {
                Files.move(work, directory, StandardCopyOption.ATOMIC_MOVE);
            } catch (final AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException
                | java.nio.file.DirectoryNotEmptyException ex) {
                WineSession.deleteTree(work); // another JVM of the session built it first
            }
            return directory;
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot build the shim libraries in " + session.directory(), ex);
        }
    }

    private static void compile(final Path work, final String library, final List<String> inputs) {
        final List<String> command = new ArrayList<>(List.of(WineAvailability.systemCc().toString(), "-O2", "-Wall",
            "-fPIC", "-shared", "-fvisibility=hidden", "-Wl,-soname," + library, "-o", work.resolve(library)
                .toString()));
        command.addAll(inputs);
        final WineSession.ProgramResult result = WineSession.exec(command, Duration.ofSeconds(120));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("cc failed to build " + library + ": " + result);
        }
    }
}
