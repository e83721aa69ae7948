package dev.ipcbus.registry;

import dev.ipcbus.BusConfig;
import dev.ipcbus.ConfigurationException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The per-user runtime directory that holds registry files and socket files: private to the current user (0700 on
 * POSIX), and refused if another user owns it (someone squatting on the path).
 * <p>
 * Resolved, in order, from {@link BusConfig#runtimeDirectory()}, the system property
 * {@value BusConfig#RUNTIME_DIR_PROPERTY}, {@code $XDG_RUNTIME_DIR/ipcbus}, then {@code %LOCALAPPDATA%\ipcbus} on
 * Windows or {@code <java.io.tmpdir>/ipcbus-<user>} elsewhere.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class RuntimeDirectory {
    /** Owner read/write only. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Owner read/write/search only. */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final boolean WINDOWS =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private RuntimeDirectory() {
    }

    /**
     * @param override an explicit directory, or {@code null}.
     * @return the base directory, not yet created.
     */
    public static Path base(final Path override) {
        if (override != null) {
            return override.toAbsolutePath();
        }
        final String property = System.getProperty(BusConfig.RUNTIME_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Paths.get(property).toAbsolutePath();
        }
        final String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Paths.get(xdg))) {
            return Paths.get(xdg, "ipcbus");
        }
        if (WINDOWS) {
            final String local = System.getenv("LOCALAPPDATA");
            if (local != null && !local.isBlank()) {
                return Paths.get(local, "ipcbus");
            }
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "ipcbus-" + userName());
    }

    /**
     * @return the current user's name, made safe for file names.
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
            final UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
            final UserPrincipal me = directory.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
            if (!owner.getName().equals(me.getName()) && !owner.equals(me)) {
                throw new ConfigurationException("runtime directory belongs to another user: path=" + directory
                    + ", owner=" + owner.getName() + ", user=" + me.getName());
            }
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
}
