// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.FilemapTransportProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Helpers of the POSIX integration tests: unique bus names, transports through the provider, and the leftover check.
 */
final class PosixTestSupport {
    private PosixTestSupport() {
    }

    /**
     * @param test the test name.
     * @return a bus name unique to this test run: test name + pid + random.
     */
    static String busName(final String test) {
        return ("it" + test + "-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20))).replaceAll("[^A-Za-z0-9_.-]", "");
    }

    static Transport transport(final String bus, final Path runtime, final Map<String, String> options,
        final NodeLiveness liveness, final List<Throwable> errors) {
        final TransportContext context = new TransportContext(bus, new TransportOptions(options), runtime, liveness,
            errors::add);
        return new FilemapTransportProvider().create(context);
    }

    /**
     * @param bus a bus name.
     * @return segment files of this bus left in /dev/shm.
     */
    static List<Path> leftovers(final String bus) throws IOException {
        try (Stream<Path> files = Files.list(PosixFilemapPlatform.DEV_SHM)) {
            return files.filter(path -> path.getFileName().toString().contains("-" + bus + "-"))
                .collect(Collectors.toList());
        }
    }
}
