// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusClosedException;
import dev.ipcbus.NodeInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.assertStaysTrue;
import static dev.ipcbus.testkit.ContractSupport.await;
import static dev.ipcbus.testkit.ContractSupport.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes: what close releases, the node listing, a paused node that is not dead.
 */
abstract class NodesContract extends IntegrityContract {
    @Test
    void shouldReleaseEverythingOnClose() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("never", String.class, (request, context) -> new CompletableFuture<String>());
        final CompletableFuture<String> pending = requester.request("never", "x", String.class,
            Duration.ofSeconds(30));
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        requester.subscribe("gone", String.class, (m, c) -> inbox.add(m));
        requester.close();
        assertThrows(BusClosedException.class, () -> await(pending));
        assertThrows(BusClosedException.class, () -> requester.publish("x", "y"));
        assertThrows(BusClosedException.class, () -> requester.request("never", "x", String.class, WAIT));
        assertThrows(BusClosedException.class, () -> requester.subscribe("gone.again", String.class, (m, c) -> { }));
        assertTrue(responder.nodes().stream().noneMatch(node -> node.id().equals(requester.nodeId())),
            "closed node left the registry");
        responder.publish("gone", "nobody");
        requester.close(); // idempotent
    }

    @Test
    void shouldListLiveNodes() {
        final Bus one = open();
        final Bus two = open();
        two.subscribe("list.me", String.class, (m, c) -> { });
        final List<NodeInfo> nodes = one.nodes();
        assertEquals(2, nodes.size(), nodes.toString());
        final NodeInfo info = nodes.stream().filter(n -> n.id().equals(two.nodeId())).findFirst().orElseThrow();
        assertTrue(info.alive());
        assertEquals(List.of("list.me"), info.subscriptions());
        assertEquals(ProcessHandle.current().pid(), info.pid());
        assertTrue(info.counters().containsKey("framesReceived"), info.counters().toString());
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void shouldTreatAPausedSubscriberAsAlive() throws Exception {
        assumeInboxTransport("the node listing shows the nodes that answer; a paused node is silent "
            + "until it resumes (the engine keeps its subscriptions meanwhile)");
        assumeCrossProcess();
        final Bus publisher = open();
        final ChildJvm child = child("subscribe", "pause.>");
        signal("STOP", child.pid());
        // A small inbox fills while its reader is stopped: the writer waits (bounded by publishTimeout, 5 s by
        // default) and resumes when the reader does.
        final CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 40; i++) {
                publisher.publish("pause.n", "p" + i);
            }
        });
        try {
            // Throughout a period longer than the nodes' full liveness sweep (every second), with the writer waiting.
            assertStaysTrue(Duration.ofMillis(1500),
                () -> publisher.nodes().stream().anyMatch(n -> n.pid() == child.pid() && n.alive()),
                "a stopped process is paused, not dead");
        } finally {
            signal("CONT", child.pid());
        }
        await(publishing);
        for (int i = 0; i < 40; i++) {
            assertEquals("GOT pause.n p" + i, child.awaitLine("GOT", WAIT));
        }
    }
}
