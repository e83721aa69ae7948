// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static dev.ipcbus.testkit.ContractSupport.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrity (issue 13): every payload arrives at each subscriber exactly once, intact and in per-publisher order, or
 * its publish threw; also while publisher processes are paused mid-stream.
 */
abstract class IntegrityContract extends LimitsContract {
    /**
     * Issue 13: several publisher processes, payload sizes across the transport's whole range (exactly its limit
     * included), checksummed, with per-publisher sequence numbers; a fast and a slow subscriber. Every payload
     * arrives at each subscriber exactly once, intact and in per-publisher order, or its publish threw. Seconds by
     * default; a soak with {@code -Dipcbus.integrity.seconds=600 -Dipcbus.integrity.messages=100000000
     * -Dipcbus.integrity.megabytes=100000}.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldDeliverEveryPayloadExactlyOnceIntactAndInOrderOrThrow() throws Exception {
        checkIntegrity(3, false);
    }

    /**
     * Issue 13: publisher processes stopped ({@code SIGSTOP}) at random moments for longer than any stall timeout
     * (filemap's integrity URI sets 300 ms), in the middle of a write or not, then continued: nothing is lost,
     * duplicated or damaged; a pause is not a death.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void shouldLoseNothingWhenPublishersArePausedMidStream() throws Exception {
        assumeCrossProcess();
        checkIntegrity(2, true);
    }

    private void checkIntegrity(final int publishers, final boolean pause) throws Exception {
        final int seconds = Integer.getInteger("ipcbus.integrity.seconds", 4);
        final long messages = Long.getLong("ipcbus.integrity.messages", 2000);
        final long bytes = Long.getLong("ipcbus.integrity.megabytes", 40) << 20;
        final IntegrityLedger[] ledgers = {new IntegrityLedger("fast", false), new IntegrityLedger("slow", true)};
        final String uri = integrityUri(busName());
        for (final IntegrityLedger ledger : ledgers) {
            open(uri).subscribeRaw("integrity.>", ledger);
        }
        final List<CompletableFuture<List<String>>> outputs = new ArrayList<>();
        final List<ChildJvm> children = new ArrayList<>();
        for (int id = 0; id < publishers; id++) {
            final String[] args = {uri, Integer.toString(id), Integer.toString(seconds),
                Long.toString(messages), Long.toString(bytes), Long.toString(0x5EED + id)};
            if (crossProcess()) {
                final ChildJvm child = keep(ChildJvm.start(IntegrityPublisher.class, List.of(), args));
                children.add(child);
                child.awaitLine("READY", WAIT);
                outputs.add(CompletableFuture.supplyAsync(() -> {
                    child.awaitLine("DONE", Duration.ofSeconds(seconds + 120L));
                    return child.seenLines();
                }));
            } else {
                final Bus publisher = open(uri);
                final int id0 = id;
                outputs.add(CompletableFuture.supplyAsync(() -> {
                    final ByteArrayOutputStream lines = new ByteArrayOutputStream();
                    IntegrityPublisher.run(publisher, id0, seconds, messages, bytes, 0x5EED + id0,
                        new PrintStream(lines, true, StandardCharsets.UTF_8));
                    return List.of(lines.toString(StandardCharsets.UTF_8).split("\n"));
                }));
            }
        }
        if (pause) {
            final Random random = new Random();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int round = 0; System.nanoTime() < deadline; round++) {
                // The random moment of the next pause: a duration under test, not a wait for an event.
                Thread.sleep(100 + random.nextInt(400));
                final ChildJvm child = children.get(round % publishers);
                if (outputs.get(round % publishers).isDone()) {
                    continue;
                }
                signal("STOP", child.pid());
                try {
                    Thread.sleep(700); // the length of the pause under test
                } finally {
                    // A publisher that finished just before the STOP has exited (its zombie took the signal).
                    if (ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                        signal("CONT", child.pid());
                    }
                }
            }
        }
        long totalSent = 0;
        for (int id = 0; id < publishers; id++) {
            final List<String> lines = outputs.get(id).get(seconds + 150L, TimeUnit.SECONDS);
            final Set<Long> failed = new TreeSet<>();
            long sent = -1;
            for (final String line : lines) {
                if (line.startsWith("FAILED ")) {
                    failed.add(Long.parseLong(line.split(" ")[1]));
                } else if (line.startsWith("DONE ")) {
                    sent = Long.parseLong(line.split(" ")[1]);
                }
            }
            assertTrue(sent > 0, "publisher " + id + " sent nothing: " + lines);
            totalSent += sent;
            for (final IntegrityLedger ledger : ledgers) {
                final int publisher = id;
                awaitUntil(() -> ledger.end(publisher) != null, "end marker of publisher " + id);
                assertEquals(sent, ledger.end(publisher));
                final Set<Long> gaps = ledger.gaps(publisher);
                gaps.removeAll(failed);
                assertEquals(Set.of(), gaps, "payloads lost without an exception (publisher " + id + ")");
            }
        }
        for (final IntegrityLedger ledger : ledgers) {
            assertEquals(List.of(), ledger.problems());
            assertTrue(ledger.received() > totalSent / 2, "received " + ledger.received() + " of " + totalSent);
        }
    }
}
