// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.BusUri;
import dev.ipcbus.registry.RuntimeDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bus directory of a test's bus under the runtime directory ({@code <runtime>/<scheme>/<bus>}): where it is, what
 * it holds, and its removal once a test is done. A bus of a process-local or engine-routed transport has none; every
 * method then sees an empty directory.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class BusDirectories {
    /** The change counter, which a bus directory keeps once any node opened it. */
    private static final String CHANGE_COUNTER = "registry.version";

    private BusDirectories() {
    }

    /**
     * @param uri a bus URI, options allowed.
     * @return its bus directory (it need not exist).
     */
    static Path of(final String uri) {
        return of(BusUri.parse(uri));
    }

    /**
     * @param uri a parsed bus URI.
     * @return its bus directory (it need not exist).
     */
    static Path of(final BusUri uri) {
        return RuntimeDirectory.base(null).resolve(uri.scheme()).resolve(uri.busName());
    }

    /**
     * @param directory a bus directory.
     * @return the names of the files in it other than the change counter, sorted; none if it does not exist.
     */
    static List<String> files(final Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> !name.equals(CHANGE_COUNTER))
                .sorted().toList();
        } catch (final NoSuchFileException ex) {
            return List.of();
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot list the bus directory: directory=" + directory, ex);
        }
    }

    /**
     * Removes the directory and every file in it, if it exists.
     *
     * @param directory a bus directory.
     */
    static void remove(final Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (final Path file : (Iterable<Path>)files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot remove the bus directory: directory=" + directory, ex);
        }
    }
}
