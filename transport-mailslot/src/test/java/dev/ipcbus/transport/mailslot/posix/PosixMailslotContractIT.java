package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.testkit.TransportContractTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The conformance suite over the POSIX layer ({@code AF_UNIX} datagram sockets), in-JVM and across child JVMs.
 * <p>
 * The suite kills its child JVMs ({@code kill -9}) before it closes the test's own nodes, so a killed child's registry
 * files and socket file stay until some node notices the death. Before the inherited check that the bus directory is
 * empty, this class opens one more node and lists the nodes, which reclaims every dead one through the core and so
 * through {@code MailslotTransport.reclaim}: the check then also proves that a killed node's socket file is removed.
 */
@EnabledOnOs(OS.LINUX)
class PosixMailslotContractIT extends TransportContractTest {
    @Override
    protected String uri(final String busName) {
        return "mailslot://" + busName;
    }

    @Override
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        final Path directory = busDirectory();
        if (directory != null && Files.isDirectory(directory)) {
            try (Bus sweeper = Bus.open(BusConfig.builder().uri(uri(busName)).build())) {
                sweeper.nodes();
            }
        }
        super.assertNothingLeftBehind(busName);
    }
}
