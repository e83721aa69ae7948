// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file registry on real files and real processes: liveness from OS locks, reclaim of a process killed with
 * {@code kill -9}, a pause that is not a death, private modes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileNodeRegistryIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    private final List<String> reclaimed = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    private FileNodeRegistry registry(final Path dir) {
        return new FileNodeRegistry(dir, (id, record) -> reclaimed.add(NodeIds.format(id) + "=" +
            (record == null ? "null" : record.address())), errors::add);
    }

    private static NodeRecord record(final long id, final List<String> subscriptions) {
        return new NodeRecord(NodeIds.format(id), ProcessHandle.current().pid(), "test", "addr", "me", 1L,
            subscriptions, List.of());
    }

    @Test
    void shouldRegisterUpdateAndDeregisterWithVersionMoving() {
        final FileNodeRegistry registry = registry(temp.resolve("bus"));
        final long id = NodeIds.next();
        final long v0 = registry.version();
        registry.register(record(id, List.of()));
        assertTrue(registry.version() != v0);
        assertTrue(registry.isAlive(id));
        final long v1 = registry.version();
        registry.update(record(id, List.of("x.>")));
        assertTrue(registry.version() != v1);
        assertEquals(List.of("x.>"), registry.nodes().get(0).subscriptions());
        final FileNodeRegistry other = registry(temp.resolve("bus"));
        assertEquals(registry.version(), other.version(), "one counter shared by every opener");
        registry.deregister(id);
        assertEquals(List.of(), registry.nodes());
        assertFalse(registry.isAlive(id));
        assertEquals(List.of(), reclaimed, "an orderly exit is not a reclaim");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void shouldKeepEverythingPrivateToTheUser() throws Exception {
        final Path dir = temp.resolve("private");
        final FileNodeRegistry registry = registry(dir);
        final long id = NodeIds.next();
        registry.register(record(id, List.of()));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (var files = Files.list(dir)) {
            for (final Path file : (Iterable<Path>)files::iterator) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    file.toString());
            }
        }
        registry.deregister(id);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldRefuseARuntimeDirectoryOwnedByAnotherUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "needs root to give a directory to user nobody");
        final Path squatted = temp.resolve("squatted");
        Files.createDirectory(squatted);
        Files.setOwner(squatted, squatted.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody"));
        final dev.ipcbus.ConfigurationException ex = org.junit.jupiter.api.Assertions.assertThrows(
            dev.ipcbus.ConfigurationException.class, () -> registry(squatted));
        assertTrue(ex.getMessage().contains("belongs to another user") && ex.getMessage().contains("owner=nobody"),
            ex.getMessage());
    }

    @Test
    void shouldReclaimNodeOfKilledProcessExactlyOnce() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        try (ChildJvm child = ChildJvm.start(RegistryChild.class, List.of(), dir.toString())) {
            final long id = NodeIds.parse(child.awaitLine("READY", WAIT).substring(6));
            assertTrue(registry.isAlive(id));
            assertEquals(1, registry.nodes().size());
            final long before = registry.version();
            child.kill();
            assertFalse(registry.isAlive(id));
            assertFalse(registry.isAlive(id));
            assertEquals(List.of(NodeIds.format(id) + "=addr-" + id), reclaimed);
            assertEquals(List.of(), registry.nodes());
            assertTrue(registry.version() != before, "a reclaim moves the version");
            try (var files = Files.list(dir)) {
                assertEquals(List.of("registry.version"), files.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void shouldNotMistakeAPauseForADeath() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        try (ChildJvm child = ChildJvm.start(RegistryChild.class, List.of(), dir.toString())) {
            final long id = NodeIds.parse(child.awaitLine("READY", WAIT).substring(6));
            signal("STOP", child.pid());
            try {
                Thread.sleep(300);
                assertTrue(registry.isAlive(id), "a stopped process still holds its lock");
            } finally {
                signal("CONT", child.pid());
            }
            assertEquals(List.of(), reclaimed);
            child.stop(WAIT);
            assertFalse(registry.isAlive(id));
            assertEquals(List.of(), reclaimed, "an orderly exit deregistered itself");
        }
    }

    @Test
    void shouldSkipAndReclaimUnreadableNodeFile() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        final long id = NodeIds.next();
        Files.writeString(dir.resolve(NodeIds.format(id) + ".node"), "{not json");
        assertEquals(List.of(), registry.nodes());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).getMessage().contains("unreadable node file"), errors.get(0).getMessage());
        assertFalse(Files.exists(dir.resolve(NodeIds.format(id) + ".node")), "dead owner: reclaimed");
        assertEquals(List.of(NodeIds.format(id) + "=null"), reclaimed);
    }

    @Test
    void shouldReclaimALockFileNobodyHoldsWithWhatItsNodeLeft() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        final long id = NodeIds.next();
        final String hex = NodeIds.format(id);
        // What a node killed between creating and locking its lock file, or before listing itself, leaves.
        Files.createFile(dir.resolve(hex + ".lock"));
        CounterFile.openOrCreate(dir.resolve(hex + ".stats"), NodeCounters.MAGIC, NodeCounters.LAYOUT,
            NodeCounters.COUNT);
        Files.writeString(dir.resolve(hex + ".node.tmp"), "{\"id\":");
        Files.writeString(dir.resolve(hex + ".stats." + NodeIds.format(NodeIds.next()) + ".tmp"), "IBNC");
        final long before = registry.version();
        assertEquals(List.of(id), registry.reclaimUnlisted());
        assertEquals(List.of(hex + "=null"), reclaimed, "the transport is asked to reclaim by id");
        assertTrue(registry.version() != before, "a reclaim moves the version");
        assertEquals(List.of("registry.version"), fileNames(dir));
        assertEquals(List.of(), registry.reclaimUnlisted());
    }

    @Test
    void shouldReclaimStatisticsLeftWithoutALockFile() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        final long id = NodeIds.next();
        CounterFile.openOrCreate(dir.resolve(NodeIds.format(id) + ".stats"), NodeCounters.MAGIC,
            NodeCounters.LAYOUT, NodeCounters.COUNT);
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        Files.writeString(dir.resolve("xyz.lock"), "not a node id");
        assertEquals(List.of(id), registry.reclaimUnlisted());
        assertEquals(List.of("notes.txt", "registry.version", "xyz.lock"), fileNames(dir), "foreign files stay");
    }

    @Test
    void shouldLeaveAStartingNodeAlone() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        try (ChildJvm child = ChildJvm.start(RegistryChild.class, List.of(), dir.toString(), "claim")) {
            final long id = NodeIds.parse(child.awaitLine("CLAIMED", WAIT).substring(8));
            assertEquals(List.of(), registry.reclaimUnlisted(), "its lock is held");
            assertFalse(registry.isAlive(id), "not listed yet: not a routing target");
            assertEquals(List.of(), reclaimed);
            final String hex = NodeIds.format(id);
            assertEquals(List.of(hex + ".lock", hex + ".stats", "registry.version"), fileNames(dir));
            child.kill();
            assertEquals(List.of(id), registry.reclaimUnlisted(), "killed while starting: reclaimed");
            assertEquals(List.of("registry.version"), fileNames(dir));
        }
    }

    @Test
    void shouldNeverReclaimANodeWhileItCreatesItsLock() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        try (ChildJvm child = ChildJvm.start(RegistryChild.class, List.of(), dir.toString(), "churn", "3000")) {
            // Sweep as fast as possible while the child creates, locks and removes one lock file after another: a
            // sweep that lands between a create and its lock reclaims the file, and the child must notice and start
            // again, so that every claim it returns from holds a lock file that is in place.
            String checked = null;
            int sweeps = 0;
            while (checked == null) {
                registry.reclaimUnlisted();
                sweeps++;
                for (String line = child.pollLine(); line != null; line = child.pollLine()) {
                    if (line.startsWith("CHECKED")) {
                        checked = line;
                    }
                }
                assertTrue(child.process().isAlive(), "child died: " + child.stderr());
            }
            assertEquals("CHECKED ok", checked, "after " + sweeps + " sweeps, " + reclaimed.size() + " reclaims");
            errors.clear();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldNotReclaimANodeThatHoldsItsLockWithFlock() throws Exception {
        final Path dir = temp.resolve("bus");
        final FileNodeRegistry registry = registry(dir);
        final long id = NodeIds.next();
        final String hex = NodeIds.format(id);
        final Path lock = dir.resolve(hex + ".lock");
        Files.createFile(lock);
        Files.writeString(dir.resolve(hex + ".node"), "{\"id\":\"" + hex + "\",\"pid\":1,\"transport\":\"test\","
            + "\"address\":\"a\",\"name\":\"flock-client\",\"startedMillis\":1}");
        // A foreign client that locks with flock(2), which fcntl locks do not see on Linux.
        // One process holds it (no child of flock(1) keeping the lock after the holder is killed).
        final Process holder = new ProcessBuilder("sh", "-c", "exec 9>>\"$0\" && flock --exclusive 9 && echo LOCKED "
            + "&& exec cat", lock.toString()).start();
        try {
            final String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertEquals("LOCKED", line);
            assertTrue(registry.isAlive(id), "a flock holder is not reclaimed");
            assertEquals(1, registry.nodes().size());
            assertEquals(List.of(), reclaimed);
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
        assertFalse(registry.isAlive(id), "its holder gone: dead");
        assertEquals(List.of(hex + "=a"), reclaimed);
    }

    private static List<String> fileNames(final Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static void signal(final String signal, final long pid) throws Exception {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }
}
