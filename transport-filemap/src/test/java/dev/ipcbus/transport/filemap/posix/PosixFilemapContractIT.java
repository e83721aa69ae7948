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

    /**
     * A 64 KiB ring (frames up to 8 KiB), which the integrity check wraps thousands of times, and a 300 ms stall
     * timeout, which its paused publishers outlast.
     */
    @Override
    protected String integrityUri(final String busName) {
        return uri(busName) + "?capacity=64KiB&stallTimeout=300ms";
    }

    @Override
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        super.assertNothingLeftBehind(busName);
        final List<Path> left = PosixTestSupport.leftovers(busName);
        assertEquals(List.of(), left, "segment files left in /dev/shm");
    }
}
