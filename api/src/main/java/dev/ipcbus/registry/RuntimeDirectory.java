// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.BusConfig;
import dev.ipcbus.ConfigurationException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The per-user runtime directory that holds registry files and socket files: private to the current user (0700 on
 * POSIX), and refused if another user owns it (someone squatting on the path).
 * <p>
 * Resolved, in order (the first that applies wins; docs/PROTOCOL.md section 2 gives the same rules for other
 * languages):
 * <ol>
 *   <li>{@link BusConfig#runtimeDirectory()} (Java only);</li>
 *   <li>the system property {@value BusConfig#RUNTIME_DIR_PROPERTY} (Java only);</li>
 *   <li>the environment variable {@value BusConfig#RUNTIME_DIR_ENV};</li>
 *   <li>{@code $XDG_RUNTIME_DIR/ipcbus}, if {@code XDG_RUNTIME_DIR} is an absolute path to an existing directory;
 *   that directory must belong to the current user and must not be writable by group or others, else opening a bus
 *   fails with a {@link ConfigurationException} saying so (a variable inherited from another user's session, e.g.
 *   after {@code su}, must not silently split one user's nodes over two directories);</li>
 *   <li>on Windows, {@code %LOCALAPPDATA%\ipcbus};</li>
 *   <li>{@link #temporaryDirectory()}{@code /ipcbus-<user>}, {@code <user>} as {@link #userName()} gives it.</li>
 * </ol>
 * Relative paths from the overrides are made absolute against the working directory. Empty values count as unset.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class RuntimeDirectory {
    /** Owner read/write only. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Owner read/write/search only. */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    /** Environment variable of the XDG base directory specification naming the user's runtime directory. */
    public static final String XDG_RUNTIME_DIR = "XDG_RUNTIME_DIR";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final boolean WINDOWS =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private RuntimeDirectory() {
    }

    /**
     * @param override an explicit directory, or {@code null}.
     * @return the base directory, not yet created.
     * @throws ConfigurationException if {@code $XDG_RUNTIME_DIR} would be used but belongs to another user or is
     *                                writable by others.
     */
    public static Path base(final Path override) {
        return base(override, System::getProperty, System::getenv);
    }

    /**
     * @param base   the runtime directory ({@link #base(Path)}).
     * @param scheme the transport scheme.
     * @param bus    the bus name.
     * @return the bus's registry directory, {@code <base>/<scheme>/<bus>}, not created.
     */
    public static Path busDirectory(final Path base, final String scheme, final String bus) {
        return base.resolve(scheme).resolve(bus);
    }

    /**
     * {@link #base(Path)} with the system properties and the environment given (for tests).
     */
    static Path base(final Path override, final UnaryOperator<String> properties,
        final UnaryOperator<String> environment) {
        if (override != null) {
            return override.toAbsolutePath();
        }
        final String property = properties.apply(BusConfig.RUNTIME_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Paths.get(property).toAbsolutePath();
        }
        final String variable = environment.apply(BusConfig.RUNTIME_DIR_ENV);
        if (variable != null && !variable.isBlank()) {
            return Paths.get(variable).toAbsolutePath();
        }
        final String xdg = environment.apply(XDG_RUNTIME_DIR);
        if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute() && Files.isDirectory(Paths.get(xdg))) {
            return checkXdgRuntimeDirectory(Paths.get(xdg)).resolve("ipcbus");
        }
        if (WINDOWS) {
            final String local = environment.apply("LOCALAPPDATA");
            if (local != null && !local.isBlank()) {
                return Paths.get(local, "ipcbus");
            }
        }
        return temporaryDirectory(environment).resolve("ipcbus-" + userName());
    }

    /**
     * The directory for per-user fallback directories: on POSIX {@code $TMPDIR} if it is set to an absolute path,
     * else {@code /tmp} (not {@code java.io.tmpdir}, which a client in another language cannot know); on Windows
     * {@code java.io.tmpdir} ({@code GetTempPath}).
     *
     * @return the directory.
     */
    public static Path temporaryDirectory() {
        return temporaryDirectory(System::getenv);
    }

    private static Path temporaryDirectory(final UnaryOperator<String> environment) {
        if (WINDOWS) {
            return Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        }
        final String tmpdir = environment.apply("TMPDIR");
        if (tmpdir != null && !tmpdir.isBlank() && Paths.get(tmpdir).isAbsolute()) {
            return Paths.get(tmpdir);
        }
        return Paths.get("/tmp");
    }

    /**
     * Accepts {@code $XDG_RUNTIME_DIR} only if it is the current user's and not writable by group or others: the
     * directory checks that {@link #ensurePrivate} makes below it mean nothing if someone else controls it.
     */
    private static Path checkXdgRuntimeDirectory(final Path xdg) {
        try {
            checkOwner(xdg, Files.getOwner(xdg), "XDG_RUNTIME_DIR belongs to another user (set "
                + BusConfig.RUNTIME_DIR_ENV + ", or unset XDG_RUNTIME_DIR, e.g. after su)");
            if (POSIX) {
                final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(xdg);
                if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                    throw new ConfigurationException("XDG_RUNTIME_DIR is writable by group or others (set "
                        + BusConfig.RUNTIME_DIR_ENV + ", or fix its mode to 0700): path=" + xdg + ", mode="
                        + PosixFilePermissions.toString(mode));
                }
            }
            return xdg;
        } catch (final IOException ex) {
            throw new ConfigurationException("cannot check XDG_RUNTIME_DIR: path=" + xdg + ", error=" + ex, ex);
        }
    }

    /**
     * @throws ConfigurationException with {@code what} if {@code owner} is not the current user.
     */
    private static void checkOwner(final Path path, final UserPrincipal owner, final String what)
        throws IOException {
        final UserPrincipal me = path.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
        if (!owner.getName().equals(me.getName()) && !owner.equals(me)) {
            throw new ConfigurationException(what + ": path=" + path + ", owner=" + owner.getName() + ", user="
                + me.getName());
        }
    }

    /**
     * @return the current user's name, made safe for file names: Java's {@code user.name} (on POSIX the login name of
     * the process's real user id, {@code getpwuid(getuid())->pw_name}; on Windows the account name) with every
     * character outside {@code [A-Za-z0-9_.-]} replaced by {@code _}.
     */
    public static String userName() {
        return System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /**
     * @return whether files get POSIX permissions.
     */
    public static boolean isPosix() {
        return POSIX;
    }

    /**
     * Opens a file channel; a file it creates is private to the current user ({@link #FILE_MODE}) from the start.
     *
     * @param path    the file.
     * @param options how to open it.
     * @return the channel.
     * @throws IOException as {@link FileChannel#open}.
     */
    static FileChannel openPrivate(final Path path, final StandardOpenOption... options) throws IOException {
        final Set<StandardOpenOption> set = Set.of(options);
        if (POSIX && (set.contains(StandardOpenOption.CREATE) || set.contains(StandardOpenOption.CREATE_NEW))) {
            return FileChannel.open(path, set, PosixFilePermissions.asFileAttribute(FILE_MODE));
        }
        return FileChannel.open(path, set);
    }

    /**
     * Creates {@code directory} and its parents if missing, private to the current user, and checks that an existing
     * one belongs to the current user and is not open to others.
     *
     * @param directory the directory.
     * @return {@code directory}.
     * @throws ConfigurationException if it belongs to another user, or cannot be created.
     */
    public static Path ensurePrivate(final Path directory) {
        try {
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                final Path parent = directory.getParent();
                if (parent != null && !Files.isDirectory(parent)) {
                    Files.createDirectories(parent);
                }
                try {
                    if (POSIX) {
                        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
                    } else {
                        Files.createDirectory(directory);
                    }
                } catch (final java.nio.file.FileAlreadyExistsException ex) {
                    // created concurrently by another node; checked below
                }
            }
            if (Files.isSymbolicLink(directory)) {
                throw new ConfigurationException("runtime directory is a symbolic link: path=" + directory);
            }
            checkOwner(directory, Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS),
                "runtime directory belongs to another user");
            if (POSIX) {
                final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory,
                    LinkOption.NOFOLLOW_LINKS);
                if (!mode.equals(DIRECTORY_MODE)) {
                    Files.setPosixFilePermissions(directory, EnumSet.copyOf(DIRECTORY_MODE));
                }
            }
            return directory;
        } catch (final IOException ex) {
            throw new ConfigurationException("cannot prepare runtime directory: path=" + directory + ", error=" + ex,
                ex);
        }
    }

    /**
     * Removes a bus directory nobody uses: one that holds nothing but its change counter, untouched for
     * {@code minimumAge} (a node that opens the bus takes its lock within moments of creating the counter, so an old
     * lone counter is no node's).
     *
     * @param directory  a bus's registry directory ({@link #busDirectory}).
     * @param minimumAge how long the counter must have been left alone.
     * @return whether the directory was removed.
     * @throws IOException if it cannot be listed or removed.
     */
    public static boolean removeAbandonedBus(final Path directory, final Duration minimumAge)
        throws IOException {
        final Path version = directory.resolve(NodeFiles.VERSION_FILE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (final Path entry : entries) {
                if (!entry.equals(version)) {
                    return false;
                }
            }
        }
        final long age = System.currentTimeMillis() - Files.getLastModifiedTime(version).toMillis();
        if (age < minimumAge.toMillis()) {
            return false;
        }
        Files.deleteIfExists(version);
        try {
            Files.delete(directory);
        } catch (final DirectoryNotEmptyException raced) {
            return false; // a node arrived meanwhile: it recreates the counter
        }
        return true;
    }
}
