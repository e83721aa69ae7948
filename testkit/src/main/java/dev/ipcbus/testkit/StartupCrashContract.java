// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusException;
import dev.ipcbus.NodeInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes and failures while a node starts (issue 13, item 3): every resource is reclaimable from the moment it
 * exists. Stages are those of {@code dev.ipcbus.internal.StartupStages}.
 */
abstract class StartupCrashContract extends CrossProcessContract {
    /** The stages of {@code StartupStages}, in order. */
    private static final List<String> STARTUP_STAGES = List.of("locked", "inbox", "registered");

    private static final String NO_STARTUP_RESOURCES = "no registry lock, inbox or file is created at start-up: a "
        + "killed node leaves only its connection, which the engine drops";

    @Test
    void shouldLeaveNothingAfterAKillAtAnyStartupStage() throws Exception {
        assumeInboxTransport(NO_STARTUP_RESOURCES);
        assumeCrossProcess();
        for (final String stage : STARTUP_STAGES) {
            killAtStartup(stage);
        }
        try (Bus cleaner = Bus.open(busUri())) {
            final List<String> dead = cleaner.nodes().stream().filter(node -> !node.alive()).map(NodeInfo::id)
                .toList();
            assertEquals(STARTUP_STAGES.size(), dead.size(), "every node killed while starting is found: " + dead);
        }
        assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind after the cleaner's nodes()");
        assertNothingLeftBehind(busName());
    }

    @Test
    void shouldReclaimNodesKilledWhileStartingInTheNextSweep() throws Exception {
        assumeInboxTransport(NO_STARTUP_RESOURCES);
        assumeCrossProcess();
        final Bus bus = open();
        for (final String stage : STARTUP_STAGES) {
            killAtStartup(stage);
        }
        // The live node's timer sweeps about once a second.
        awaitUntil(() -> filesOfNodesOtherThan(bus.nodeId()).isEmpty(), "the live node's sweeps reclaim the killed");
    }

    @Test
    void shouldLeaveNothingAfterKillsRightAfterTheLockFileAppears() throws Exception {
        assumeInboxTransport(NO_STARTUP_RESOURCES);
        assumeCrossProcess();
        final Path directory = busDirectory();
        for (int i = 0; i < 4; i++) {
            final List<String> before = filesOfNodesOtherThan("");
            final ChildJvm child = keep(ChildJvm.node(busUri(), "subscribe", "x.>"));
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!hasNewLockFile(directory, before)) {
                assertTrue(child.process().isAlive() && System.nanoTime() < deadline,
                    "no lock file appeared: child=" + child.pid() + ", stderr=" + child.stderr());
                Thread.onSpinWait();
            }
            child.kill();
        }
        try (Bus cleaner = Bus.open(busUri())) {
            cleaner.nodes();
        }
        assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind after the cleaner's nodes()");
        assertNothingLeftBehind(busName());
    }

    @Test
    void shouldReleaseEverythingWhenOpenFailsAtAnyStartupStage() throws Exception {
        assumeInboxTransport(NO_STARTUP_RESOURCES);
        for (final String stage : STARTUP_STAGES) {
            System.setProperty("ipcbus.test.startupFail", stage);
            try {
                final BusException ex = assertThrows(BusException.class, () -> Bus.open(busUri()).close());
                assertTrue(ex.getMessage().contains("stage=" + stage), ex.getMessage());
            } finally {
                System.clearProperty("ipcbus.test.startupFail");
            }
            // At once, before any other node could sweep: the failed open itself released everything.
            assertEquals(List.of(), filesOfNodesOtherThan(""), "left behind by an open failing at " + stage);
        }
        assertNothingLeftBehind(busName());
    }

    /** Starts a child node that pauses at {@code stage} of its start-up, and kills it there. */
    private void killAtStartup(final String stage) {
        final ChildJvm child = keep(ChildJvm.start(ChildNode.class,
            List.of("ipcbus.test.startupPause=" + stage), busUri(), "subscribe", "x.>"));
        child.awaitLine("IPCBUS-STARTUP " + stage, WAIT);
        child.kill();
    }

    /**
     * @param nodeId a node to leave out, or {@code ""}.
     * @return the files of the bus directory other than the change counter, and the transport resources outside it,
     * that do not belong to {@code nodeId}.
     */
    private List<String> filesOfNodesOtherThan(final String nodeId) {
        try {
            final List<String> files = new ArrayList<>(BusDirectories.files(busDirectory()));
            files.addAll(resourcesOutsideBusDirectory(busName()));
            return files.stream().filter(name -> nodeId.isEmpty() || !name.contains(nodeId)).sorted().toList();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean hasNewLockFile(final Path directory, final List<String> before) {
        return BusDirectories.files(directory).stream()
            .anyMatch(name -> name.endsWith(".lock") && !before.contains(name));
    }
}
