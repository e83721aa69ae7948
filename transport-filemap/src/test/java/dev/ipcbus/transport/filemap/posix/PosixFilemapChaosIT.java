// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.testkit.TransportChaosTest;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chaos soak over {@code filemap://} on the POSIX layer: publishers, subscribers, a responder and a requester in child
 * JVMs, killed with {@code kill -9} and replaced while they run.
 */
@DisabledOnOs(OS.WINDOWS)
class PosixFilemapChaosIT extends TransportChaosTest {
    @Override
    protected String uri(final String busName) {
        return "filemap://" + busName;
    }

    @Override
    protected void assertNothingLeftBehind(final String busName, final Path directory) throws IOException {
        super.assertNothingLeftBehind(busName, directory);
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm)) {
            try (Stream<Path> files = Files.list(shm)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(name -> name.contains(busName)).toList(), "shared memory left in /dev/shm");
            }
        }
    }
}
