// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * This JVM's Wine session: a private {@code WINEPREFIX} with a persistent {@code wineserver} ({@code wineserver -p}),
 * the mingw-built bridge, a {@code /dev/shm} directory for shared-memory backing files, and the Wine processes
 * ({@link Win32Bridge}s) this JVM started. One per JVM ({@link #get()}), started on first use.
 * <p>
 * <b>Owner and attached sessions:</b> the first JVM creates the prefix (10-20 s, ~700 MB under the temporary directory)
 * and owns it. A child JVM it starts (a cross-process test's {@code ChildJvm}) finds the session of its nearest
 * ancestor JVM and attaches to it: its bridges run in the same prefix under the same {@code wineserver}, so named
 * pipes, mailslots, mappings and events are visible across the JVMs, as across processes on one Windows machine. An
 * attached session never stops the server.
 * <p>
 * <b>Cleanup:</b> at JVM exit (a shutdown hook) the owner closes its bridges, runs {@code wineserver -k} for its own
 * prefix only, and deletes the prefix and the {@code /dev/shm} directory. Sessions left by a JVM that was killed are
 * swept when the next owner starts (their owner's pid is gone). Nothing keeps running.
 * <p>
 * Wine runs headless ({@code DISPLAY} removed), silent ({@code WINEDEBUG=-all}) and without the .NET and HTML
 * installers ({@code WINEDLLOVERRIDES=mscoree,mshtml=}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineSession {
    /** Name prefix of session directories (in the temporary directory and in {@code /dev/shm}). */
    public static final String DIRECTORY_PREFIX = "ipcbus-wine-";
    /** System property naming the session directory to attach to (instead of searching the ancestors'). */
    public static final String SESSION_PROPERTY = "ipcbus.wine.session";

    private static final String SESSION_FILE = "session.properties";
    private static final String BRIDGE_SOURCE = "win32bridge.c";
    private static WineSession current;

    private final Path directory;
    private final Path prefix;
    private final Path shm;
    private final Path bridgeExecutable;
    private final boolean owner;
    private final Map<String, String> environment;
    private final Set<Win32Bridge> bridges = ConcurrentHashMap.newKeySet();
    private final Object mainLock = new Object();
    private final Object lifecycle = new Object();
    private Win32Bridge main;
    private volatile boolean closed;

    private WineSession(final Path directory, final Path prefix, final Path shm, final Path bridgeExecutable,
        final boolean owner) {
        this.directory = directory;
        this.prefix = prefix;
        this.shm = shm;
        this.bridgeExecutable = bridgeExecutable;
        this.owner = owner;
        final Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        env.put("WINEPREFIX", prefix.toString());
        env.put("WINEDEBUG", "-all");
        env.put("WINEDLLOVERRIDES", "mscoree,mshtml=");
        this.environment = Map.copyOf(env);
    }

    /**
     * Returns this JVM's session, starting it (or attaching to an ancestor JVM's) on first use.
     *
     * @return the session.
     * @throws IllegalStateException if the test bed is unavailable (call {@link WineAvailability#assumeAvailable()}
     *                               first) or the session could not start.
     */
    public static synchronized WineSession get() {
        if (current == null || current.closed) {
            if (!WineAvailability.isAvailable()) {
                throw new IllegalStateException("Wine test bed unavailable: " + WineAvailability.unavailabilityCause());
            }
            final Optional<Path> inherited = findInherited();
            current = inherited.isPresent() ? attach(inherited.get()) : create();
            final WineSession session = current;
            Runtime.getRuntime().addShutdownHook(new Thread(session::close, "wine-session-shutdown"));
        }
        return current;
    }

    /**
     * @return this JVM's bridge: the Wine process in which this JVM's Windows layers make their calls, as a Java
     * process on Windows makes them in itself. Started on first use.
     */
    public Win32Bridge bridge() {
        synchronized (mainLock) {
            if (main == null || !main.isAlive()) {
                main = newBridge("main");
            }
            return main;
        }
    }

    /**
     * Starts another Wine process: another "Windows process" for a test that needs two (a peer that dies, a second
     * reader of one name).
     *
     * @param name a name for diagnostics.
     * @return the new bridge; close it when done.
     */
    public Win32Bridge newBridge(final String name) {
        // Under the lifecycle lock: a bridge starting while the session closes would restart a wineserver (Wine
        // starts one on demand) after 'wineserver -k', and leave it running.
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("Wine session closed: prefix=" + prefix);
            }
            Win32Bridge bridge;
            try {
                bridge = Win32Bridge.start(this, name);
            } catch (final Win32BridgeException first) {
                // Seen once in a full build here: the Wine process exited at once (status 1, nothing on stderr) while
                // other bridges of the session kept working. One more attempt; both failures are kept.
                System.err.println("Win32 bridge '" + name + "' failed to start, retrying once: " + first.getMessage());
                try {
                    bridge = Win32Bridge.start(this, name);
                } catch (final Win32BridgeException second) {
                    second.addSuppressed(first);
                    throw second;
                }
            }
            bridges.add(bridge);
            return bridge;
        }
    }

    /**
     * Compiles a C program kept as a class-path resource with mingw, into the build's {@code target/} directory (or the
     * session directory), once per source content.
     *
     * @param resource the class-path resource, e.g. {@code "dev/ipcbus/wine/c/ipcbus-client.c"}.
     * @param loader   the class loader that has it.
     * @return the Windows executable.
     * @throws IllegalStateException if the compiler fails.
     */
    public Path compile(final String resource, final ClassLoader loader) {
        return compileResource(resource, loader, directory);
    }

    /**
     * Runs a Windows program under Wine in this session and waits for it.
     *
     * @param executable the {@code .exe}.
     * @param args       its arguments.
     * @param timeout    how long to wait before killing it.
     * @return its exit code and output.
     * @throws IllegalStateException if it did not finish in time.
     */
    public ProgramResult run(final Path executable, final List<String> args, final Duration timeout) {
        final List<String> command = new ArrayList<>();
        command.add(WineAvailability.wineLoader().toString());
        command.add(executable.toString());
        command.addAll(args);
        return exec(command, timeout, environment);
    }

    /**
     * @param path a Linux path.
     * @return the same file as Wine sees it, through its {@code Z:} drive ({@code Z:\dev\shm\...}).
     */
    public static String windowsPath(final Path path) {
        return "Z:" + path.toAbsolutePath().toString().replace('/', '\\');
    }

    /**
     * @return the directory under {@code /dev/shm} for backing files of this session's shared memory.
     */
    public Path shmDirectory() {
        return shm;
    }

    /**
     * @return the {@code WINEPREFIX}.
     */
    public Path prefix() {
        return prefix;
    }

    /**
     * @return whether this JVM created the session (and stops it at exit).
     */
    public boolean isOwner() {
        return owner;
    }

    /**
     * @return the environment Wine processes of this session run with.
     */
    public Map<String, String> environment() {
        return environment;
    }

    Path bridgeExecutable() {
        return bridgeExecutable;
    }

    /**
     * @return the session directory (the prefix, the shim libraries and the session file live under it).
     */
    Path directory() {
        return directory;
    }

    void forget(final Win32Bridge bridge) {
        bridges.remove(bridge);
    }

    /**
     * Closes every bridge of this JVM; the owner also stops the prefix's {@code wineserver} ({@code wineserver -k},
     * this prefix only) and deletes the prefix and the shared-memory directory. Runs at JVM exit; idempotent.
     */
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (final Win32Bridge bridge : List.copyOf(bridges)) {
            bridge.close();
        }
        if (owner) {
            stopServer(prefix, environment);
            deleteTree(shm);
            deleteTree(directory);
        }
    }

    @Override
    public String toString() {
        return "WineSession{prefix=" + prefix + ", owner=" + owner + ", bridges=" + bridges.size() + "}";
    }

    private static WineSession create() {
        sweepStale();
        final String id = ProcessHandle.current().pid() + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL);
        final Path directory = tmp().resolve(DIRECTORY_PREFIX + id);
        final Path prefix = directory.resolve("prefix");
        final Path shm = Paths.get("/dev/shm").resolve(DIRECTORY_PREFIX + id);
        try {
            // wineserver needs the prefix directory; the first Wine process then fills it (wineboot).
            Files.createDirectories(prefix);
            Files.createDirectories(shm);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot create the Wine session directories: directory=" + directory, ex);
        }
        final Path exe = compileResource(resourcePath(BRIDGE_SOURCE), WineSession.class.getClassLoader(), directory);
        final WineSession session = new WineSession(directory, prefix, shm, exe, true);
        // A persistent server: processes start fast, and named objects survive between one process and the next.
        final ProgramResult server = exec(List.of(WineAvailability.wineserver().toString(), "-p"),
            Duration.ofSeconds(30), session.environment);
        if (server.exitCode() != 0) {
            session.close();
            throw new IllegalStateException("wineserver -p failed: " + server);
        }
        final Properties properties = new Properties();
        properties.setProperty("prefix", prefix.toString());
        properties.setProperty("shm", shm.toString());
        properties.setProperty("bridge", exe.toString());
        properties.setProperty("owner", Long.toString(ProcessHandle.current().pid()));
        try (Writer out = Files.newBufferedWriter(directory.resolve(SESSION_FILE))) {
            properties.store(out, "ipcbus Wine session");
        } catch (final IOException ex) {
            session.close();
            throw new UncheckedIOException(ex);
        }
        return session;
    }

    private static WineSession attach(final Path directory) {
        final Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(directory.resolve(SESSION_FILE))) {
            properties.load(in);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot read the Wine session: directory=" + directory, ex);
        }
        return new WineSession(directory, Paths.get(properties.getProperty("prefix")),
            Paths.get(properties.getProperty("shm")), Paths.get(properties.getProperty("bridge")), false);
    }

    /** The session of the nearest ancestor JVM that owns one, or the one named by {@value #SESSION_PROPERTY}. */
    private static Optional<Path> findInherited() {
        final String named = System.getProperty(SESSION_PROPERTY);
        if (named != null && !named.isEmpty()) {
            return Optional.of(Paths.get(named));
        }
        Optional<ProcessHandle> ancestor = ProcessHandle.current().parent();
        for (int depth = 0; depth < 8 && ancestor.isPresent(); depth++) {
            final Optional<Path> found = sessionOf(ancestor.get().pid());
            if (found.isPresent()) {
                return found;
            }
            ancestor = ancestor.get().parent();
        }
        return Optional.empty();
    }

    private static Optional<Path> sessionOf(final long pid) {
        try (Stream<Path> entries = Files.list(tmp())) {
            return entries.filter(path -> path.getFileName().toString().startsWith(DIRECTORY_PREFIX + pid + "-"))
                .filter(path -> Files.isRegularFile(path.resolve(SESSION_FILE))).findFirst();
        } catch (final IOException ex) {
            return Optional.empty();
        }
    }

    /** Removes sessions whose owner JVM is gone (killed before its shutdown hook ran). */
    private static void sweepStale() {
        for (final Path base : List.of(tmp(), Paths.get("/dev/shm"))) {
            final List<Path> stale = new ArrayList<>();
            try (Stream<Path> entries = Files.list(base)) {
                entries.filter(path -> path.getFileName().toString().startsWith(DIRECTORY_PREFIX)).forEach(path -> {
                    final String rest = path.getFileName().toString().substring(DIRECTORY_PREFIX.length());
                    final int dash = rest.indexOf('-');
                    try {
                        final long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                            stale.add(path);
                        }
                    } catch (final NumberFormatException ignore) {
                        // not ours
                    }
                });
            } catch (final IOException ignore) {
                continue;
            }
            for (final Path path : stale) {
                final Path stalePrefix = path.resolve("prefix");
                if (Files.isDirectory(stalePrefix)) {
                    final Map<String, String> env = new HashMap<>(System.getenv());
                    env.put("WINEPREFIX", stalePrefix.toString());
                    stopServer(stalePrefix, env);
                }
                deleteTree(path);
            }
        }
    }

    private static void stopServer(final Path prefix, final Map<String, String> environment) {
        if (!Files.isDirectory(prefix)) {
            return;
        }
        final String serverDirectory = serverDirectoryName(prefix);
        try {
            exec(List.of(WineAvailability.wineserver().toString(), "-k"), Duration.ofSeconds(20), environment);
        } catch (final RuntimeException ignore) {
            // the server may be gone already
        }
        deleteServerDirectory(serverDirectory, environment);
    }

    /**
     * The wineserver of a prefix keeps its socket and lock in {@code $TMPDIR/wine-XXXXXX/server-<dev>-<inode>} (dev
     * and inode of the prefix, in hex; {@code wine-XXXXXX} is one directory per user) and leaves that directory when
     * it stops: the session removes its own, and the per-user parent once it is empty.
     */
    private static String serverDirectoryName(final Path prefix) {
        try {
            final long dev = ((Number)Files.getAttribute(prefix, "unix:dev")).longValue();
            final long ino = ((Number)Files.getAttribute(prefix, "unix:ino")).longValue();
            return "server-" + Long.toHexString(dev) + "-" + Long.toHexString(ino);
        } catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            return null;
        }
    }

    private static void deleteServerDirectory(final String name, final Map<String, String> environment) {
        if (name == null) {
            return;
        }
        final String tmp = environment.getOrDefault("TMPDIR", "/tmp");
        try (Stream<Path> parents = Files.list(Paths.get(tmp.isEmpty() ? "/tmp" : tmp))) {
            for (final Path parent : (Iterable<Path>)parents::iterator) {
                final String parentName = parent.getFileName().toString();
                final Path server = parent.resolve(name);
                if (parentName.startsWith("wine-") && Files.isDirectory(server, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(server);
                    try {
                        Files.deleteIfExists(parent); // only if no other prefix's server is in it
                    } catch (final IOException notEmpty) {
                        // another session's server lives there
                    }
                }
            }
        } catch (final IOException | UncheckedIOException ignore) {
            // nothing to clean
        }
    }

    private static Path compileResource(final String resource, final ClassLoader loader, final Path fallback) {
        final byte[] source;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("C source not on the class path: resource=" + resource);
            }
            source = in.readAllBytes();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
        final String base = Paths.get(resource).getFileName().toString().replaceFirst("\\.c$", "");
        final Path target = Paths.get("target");
        final Path outputDirectory = (Files.isDirectory(target) ? target : fallback).resolve("wine-testbed")
            .toAbsolutePath();
        final Path exe = outputDirectory.resolve(base + "-" + sha256(source).substring(0, 12) + ".exe");
        if (Files.isRegularFile(exe)) {
            return exe;
        }
        try {
            Files.createDirectories(outputDirectory);
            final Path sourceFile = outputDirectory.resolve(base + ".c");
            Files.write(sourceFile, source);
            final Path partial = Files.createTempFile(outputDirectory, base, ".exe.partial");
            final ProgramResult result = exec(List.of(WineAvailability.mingwGcc().toString(), "-O2", "-Wall", "-o",
                partial.toString(), sourceFile.toString(), "-lws2_32", "-ladvapi32"), Duration.ofSeconds(120));
            if (result.exitCode() != 0) {
                Files.deleteIfExists(partial);
                throw new IllegalStateException("mingw failed to compile " + resource + ": " + result);
            }
            try {
                Files.move(partial, exe, StandardCopyOption.ATOMIC_MOVE);
            } catch (final AtomicMoveNotSupportedException ex) {
                Files.move(partial, exe, StandardCopyOption.REPLACE_EXISTING);
            }
            return exe;
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static String resourcePath(final String sourceName) {
        return "dev/ipcbus/wine/c/" + sourceName;
    }

    static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Runs a Linux program (a compiler, {@code nm}) and waits for it.
     *
     * @param command the program and its arguments.
     * @param timeout how long to wait before killing it.
     * @return its exit code and output.
     * @throws IllegalStateException if it did not finish in time.
     */
    public static ProgramResult exec(final List<String> command, final Duration timeout) {
        return exec(command, timeout, System.getenv());
    }

    private static ProgramResult exec(final List<String> command, final Duration timeout,
        final Map<String, String> environment) {
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            final Path out = Files.createTempFile("wine-exec", ".out");
            final Path err = Files.createTempFile("wine-exec", ".err");
            try {
                builder.redirectOutput(out.toFile()).redirectError(err.toFile());
                final Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new IllegalStateException("did not finish within " + timeout + ": command=" + command
                        + ", stderr=" + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new ProgramResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot run " + command, ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: command=" + command, ex);
        }
    }

    private static Path tmp() {
        return Paths.get(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    static void deleteTree(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (final IOException ignore) {
            // best effort: a later session's sweep retries
        }
    }

    /**
     * A finished program: exit code and output.
     *
     * @param exitCode its exit code.
     * @param stdout   what it wrote to standard output.
     * @param stderr   what it wrote to standard error.
     */
    public record ProgramResult(int exitCode, String stdout, String stderr) {
    }
}
