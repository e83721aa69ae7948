package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.testkit.TransportContractTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The conformance suite on the POSIX layer of {@code filemap://} (Linux: /dev/shm files, futex doorbell), also
 * checking that no segment file is left in /dev/shm.
 */
@EnabledOnOs(OS.LINUX)
class PosixFilemapContractIT extends TransportContractTest {
    @Override
    protected String uri(final String busName) {
        return "filemap://" + busName;
    }

    @Override
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        super.assertNothingLeftBehind(busName);
        final List<Path> left = PosixTestSupport.leftovers(busName);
        assertEquals(List.of(), left, "segment files left in /dev/shm");
    }

    @Override
    protected List<String> resourcesOutsideBusDirectory(final String busName) throws IOException {
        return PosixTestSupport.leftovers(busName).stream().map(path -> path.getFileName().toString()).toList();
    }
}
