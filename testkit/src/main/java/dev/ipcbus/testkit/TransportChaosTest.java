// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.NodeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded chaos soak, subclassed per transport: child JVMs publish sequence-numbered messages, subscribe, request
 * and respond, while the driver kills random children with {@code kill -9} and starts new ones. Each child checks
 * its own invariants (see {@link ChaosNode}); at the end the driver checks that no child reported a violation, that
 * messages flowed, and that after a sweep no registry entry or transport resource of a dead node remains.
 * <p>
 * Runs {@value #DEFAULT_SECONDS} s by default; {@code -Dipcbus.chaos.seconds=N} runs longer.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public abstract class TransportChaosTest {
    /** Default duration of the soak, in seconds. */
    public static final int DEFAULT_SECONDS = 40;

    private final List<Child> children = new ArrayList<>();
    private final List<String> finished = new ArrayList<>();
    private String busName;

    private record Child(String role, String name, ChildJvm jvm) {
    }

    /**
     * @param busName the bus.
     * @return its URI on the transport under test.
     */
    protected abstract String uri(String busName);

    /**
     * Checks that nothing of the bus is left once every node closed or was reclaimed; extend for transport
     * resources, calling {@code super}.
     *
     * @param busName   the bus.
     * @param directory its registry directory.
     * @throws IOException if it cannot be read.
     */
    protected void assertNothingLeftBehind(final String busName, final Path directory) throws IOException {
        assertEquals(List.of(), BusDirectories.files(directory), "left in " + directory);
    }

    @AfterEach
    void killEverything() throws IOException {
        for (final Child child : children) {
            child.jvm().kill();
        }
        if (busName != null) {
            try (Bus sweeper = Bus.open(uri(busName))) {
                sweeper.nodes();
            }
            BusDirectories.remove(directory());
        }
    }

    private Path directory() {
        return BusDirectories.of(uri(busName));
    }

    private Child start(final String role, final int index) {
        final String name = role.substring(0, 3) + index;
        final ChildJvm jvm = ChildJvm.start(ChaosNode.class, List.of(), uri(busName), role, name);
        jvm.awaitLine("READY", Duration.ofSeconds(60));
        final Child child = new Child(role, name, jvm);
        children.add(child);
        return child;
    }

    @Test
    void shouldKeepInvariantsWhileNodesAreKilled() throws Exception {
        busName = "chaos-" + Long.toHexString(System.nanoTime() & 0xFFFFFF);
        final int seconds = Integer.getInteger("ipcbus.chaos.seconds", DEFAULT_SECONDS);
        final Random random = new Random(Long.getLong("ipcbus.chaos.seed", System.nanoTime()));
        final List<String> roles = List.of("subscriber", "subscriber", "publisher", "publisher", "responder",
            "requester");
        int index = 0;
        for (final String role : roles) {
            start(role, index++);
        }
        int kills = 0;
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(1500 + random.nextInt(2500)); // the pace of the chaos: time between kills, not an ordering
            final Child victim = children.get(random.nextInt(children.size()));
            victim.jvm().kill();
            kills++;
            children.remove(victim);
            finished.add(victim.name() + " (killed): " + String.join(" | ", drain(victim.jvm())));
            start(victim.role(), index++);
        }
        final List<String> violations = new ArrayList<>();
        long received = 0;
        for (final Child child : children) {
            child.jvm().stop(Duration.ofSeconds(30));
            final List<String> lines = drain(child.jvm());
            for (final String line : lines) {
                if (line.startsWith("VIOLATION")) {
                    violations.add(line);
                }
                if (line.startsWith("STAT") && line.contains("received=")) {
                    received = Math.max(received, Long.parseLong(line.substring(line.indexOf("received=") + 9)));
                }
            }
            assertTrue(lines.contains("BYE " + child.name()), child.name() + " did not exit cleanly: " + lines
                + " stderr: " + child.jvm().stderr());
        }
        for (final String line : finished) {
            if (line.contains("VIOLATION")) {
                violations.add(line);
            }
        }
        children.clear();
        assertEquals(List.of(), violations, "invariants broken (" + kills + " kills)");
        assertTrue(kills >= Math.max(1, seconds / 10), "chaos happened: kills=" + kills);
        assertTrue(received >= 200, "messages flowed: most received by one subscriber from one publisher="
            + received);
        try (Bus checker = Bus.open(uri(busName))) {
            final List<NodeInfo> nodes = checker.nodes(); // reclaims the dead
            final List<NodeInfo> again = checker.nodes();
            assertEquals(1, again.size(), "only the checker is left: " + again + " (first pass " + nodes + ")");
        }
        assertNothingLeftBehind(busName, directory());
    }

    private static List<String> drain(final ChildJvm jvm) {
        final List<String> lines = new ArrayList<>();
        while (true) {
            try {
                lines.add(jvm.awaitLine("", Duration.ofMillis(200)));
            } catch (final AssertionError end) {
                return lines;
            }
        }
    }
}
