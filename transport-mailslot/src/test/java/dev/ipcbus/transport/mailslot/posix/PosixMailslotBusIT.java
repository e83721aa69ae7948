// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.testkit.ChildJvm;
import dev.ipcbus.testkit.FrameLimitScenarios;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport under the real bus core: fan-out to several subscriber processes, {@code kill -9} of one subscriber
 * while the others keep receiving, and a raw client writing garbage straight into a node's socket.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PosixMailslotBusIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private String busName;

    @BeforeEach
    void nameBus() {
        busName = "msbus-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL);
    }

    @AfterEach
    void closeAndCheckNothingLeft() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        final Path directory = busDirectory();
        if (Files.isDirectory(directory)) {
            // Killed children are reclaimed (with their socket files) by the next node that lists the nodes.
            try (Bus sweeper = Bus.open(BusConfig.builder().uri(uri()).build())) {
                sweeper.nodes();
            }
            try (Stream<Path> files = Files.list(directory)) {
                final List<String> left = files.map(path -> path.getFileName().toString())
                    .filter(name -> !name.equals("registry.version")).toList();
                assertEquals(List.of(), left, "files left in " + directory);
            }
            try (Stream<Path> files = Files.list(directory)) {
                for (final Path file : (Iterable<Path>)files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    private String uri() {
        return "mailslot://" + busName;
    }

    private Path busDirectory() {
        return RuntimeDirectory.base(null).resolve("mailslot").resolve(busName);
    }

    private Bus open() {
        final Bus bus = Bus.open(BusConfig.builder().uri(uri()).errorHandler(errors::add).build());
        resources.add(bus);
        return bus;
    }

    private ChildJvm child(final String... args) {
        final ChildJvm child = ChildJvm.node(uri(), args);
        resources.add(child);
        child.awaitLine("READY", WAIT);
        return child;
    }

    @Test
    void shouldFanOutToSeveralSubscriberProcessesAndSurviveAKill() throws Exception {
        final Bus publisher = open();
        final List<ChildJvm> children = List.of(child("subscribe", "fan.>"), child("subscribe", "fan.>"),
            child("subscribe", "fan.>"));
        for (int i = 0; i < 20; i++) {
            publisher.publish("fan.out", "a" + i);
        }
        for (final ChildJvm child : children) {
            for (int i = 0; i < 20; i++) {
                assertEquals("GOT fan.out a" + i, child.awaitLine("GOT", WAIT));
            }
        }
        children.get(1).kill();
        for (int i = 0; i < 50; i++) {
            publisher.publish("fan.out", "b" + i);
        }
        for (final ChildJvm survivor : List.of(children.get(0), children.get(2))) {
            for (int i = 0; i < 50; i++) {
                assertEquals("GOT fan.out b" + i, survivor.awaitLine("GOT", WAIT));
            }
        }
    }

    @Test
    void shouldKeepServingAfterARawClientWritesGarbageIntoTheNodesSocket() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("safe", String.class, (message, context) -> inbox.add(message));
        final Path socket = busDirectory().resolve(subscriber.nodeId() + PosixMailslotPlatform.SOCKET_SUFFIX);
        assertTrue(Files.exists(socket), "the subscriber's socket: " + socket);
        final byte[] garbage = "this is not a frame, just bytes".getBytes(StandardCharsets.US_ASCII);
        try (RawDatagramClient raw = new RawDatagramClient()) {
            raw.sendTo(socket, garbage);
            raw.sendTo(socket, new byte[0]);
            raw.sendTo(socket, new byte[publisher.maxFrameLength() + 1]);
        }
        publisher.publish("safe", "after the garbage");
        assertEquals("after the garbage", inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(errors.stream().anyMatch(e -> e instanceof FrameFormatException
            && e.getMessage().contains("empty datagram")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e instanceof FrameFormatException
            && e.getMessage().contains("oversize datagram")), errors.toString());
        assertTrue(errors.size() >= 3, "the garbage frame is reported by the core too: " + errors);
    }

    @Test
    void shouldLeaveNoSocketFileAfterAnOrderlyClose() throws IOException {
        final Bus bus = open();
        bus.subscribe("x", String.class, (m, c) -> { });
        final Path socket = busDirectory().resolve(bus.nodeId() + PosixMailslotPlatform.SOCKET_SUFFIX);
        assertTrue(Files.exists(socket));
        bus.close();
        assertTrue(Files.notExists(socket));
    }

    /** Issue 13, item 2: a subscriber process whose inbox takes smaller frames than the publisher's. */
    @Test
    void shouldRefuseAFrameTooLargeForTheSubscribersInboxAndDeliverEveryOther() {
        FrameLimitScenarios.publishAcrossMismatchedLimits("mailslot", "?maxFrame=64KiB", "?maxFrame=256KiB",
            64 * 1024, "maxFrame");
    }
}
