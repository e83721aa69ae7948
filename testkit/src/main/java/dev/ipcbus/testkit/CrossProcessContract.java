// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.ResponderGoneException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.await;
import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static dev.ipcbus.testkit.ContractSupport.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Across processes: messages both ways, requests both ways, a responder killed with a request in its inbox, a
 * responder killed between requests, a subscriber killed and reclaimed.
 */
abstract class CrossProcessContract extends SecurityContract {
    @Test
    void shouldPublishAndSubscribeAcrossProcesses() throws Exception {
        assumeCrossProcess();
        final Bus bus = open();
        final ChildJvm child = child("subscribe", "to.child.>");
        final LinkedBlockingQueue<String> fromChild = new LinkedBlockingQueue<>();
        bus.subscribe("child.in", String.class, (message, context) -> fromChild.add(message));
        for (int i = 0; i < 20; i++) {
            bus.publish("to.child.n" + i, "hello-" + i);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("GOT to.child.n" + i + " hello-" + i, child.awaitLine("GOT", WAIT));
        }
        child.send("back at you");
        assertEquals("back at you", poll(fromChild));
        assertEquals(0, child.stop(WAIT));
    }

    @Test
    void shouldReceiveFromChildPublisher() throws Exception {
        assumeCrossProcess();
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribe("from.child", String.class, (message, context) -> inbox.add(message));
        final ChildJvm child = child("publish", "from.child", "500");
        for (int i = 0; i < 500; i++) {
            assertEquals("m" + i, poll(inbox));
        }
        child.awaitLine("DONE", WAIT);
    }

    @Test
    void shouldRequestAndReplyAcrossProcesses() throws Exception {
        assumeCrossProcess();
        final Bus bus = open();
        child("respond", "echo.service");
        assertEquals("echo:hi", await(bus.request("echo.service", "hi", String.class, WAIT)));
        bus.respond("parent.service", String.class, (request, context) -> "parent got " + request);
        final ChildJvm requester = child("request", "parent.service");
        assertEquals("REPLY parent got ping", requester.awaitLine("REPLY", WAIT));
    }

    @Test
    void shouldFailRequestWhenResponderProcessIsKilled() throws Exception {
        assumeInboxTransport("the engine cannot tell a killed responder from a slow one: the request "
            + "times out (RequestTimeoutException)");
        assumeCrossProcess();
        final Bus bus = open();
        final ChildJvm child = child("hang", "hang.service");
        final String request = "x-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        final CompletableFuture<String> reply = bus.request("hang.service", request, String.class,
            Duration.ofSeconds(45));
        child.awaitLine("RECEIVED " + request, WAIT); // the request is in the child's responder
        final long killed = System.nanoTime();
        child.kill();
        assertThrows(ResponderGoneException.class, () -> await(reply));
        assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(15),
            "responder gone must be noticed long before the 45 s timeout");
    }

    @Test
    void shouldSendRequestsToALiveResponderRightAfterAnotherWasKilled() throws Exception {
        assumeCrossProcess();
        final Bus bus = open();
        final ChildJvm victim = child("respond", "pick.service");
        child("respond", "pick.service");
        for (int i = 0; i < 2; i++) { // round robin: both responders answered, so outlets to both are open
            assertEquals("echo:warm" + i, await(bus.request("pick.service", "warm" + i, String.class, WAIT)));
        }
        // SIGKILL, waited for: its lock is released, but no node has noticed (no sweep ran in between, and none is
        // waited for). Every request must go to the survivor, whichever responder round robin picks first.
        victim.kill();
        for (int i = 0; i < 6; i++) {
            assertEquals("echo:r" + i, await(bus.request("pick.service", "r" + i, String.class, WAIT)), "request " + i);
        }
    }

    @Test
    void shouldReclaimKilledChildAndKeepServingOthers() throws Exception {
        assumeCrossProcess();
        final Bus bus = open();
        final ChildJvm victim = child("subscribe", "news.>");
        final ChildJvm survivor = child("subscribe", "news.>");
        final String victimId = victim.seenLines().get(victim.seenLines().size() - 1).substring("READY ".length());
        bus.publish("news.one", "first");
        victim.awaitLine("GOT news.one", WAIT);
        survivor.awaitLine("GOT news.one", WAIT);
        victim.kill();
        for (int i = 0; i < 50; i++) {
            bus.publish("news.more", "n" + i);
        }
        for (int i = 0; i < 50; i++) {
            assertEquals("GOT news.more n" + i, survivor.awaitLine("GOT", WAIT));
        }
        awaitUntil(() -> bus.nodes().stream().noneMatch(node -> node.id().equals(victimId)),
            "the killed node reclaimed");
        assertFalse(bus.nodes().stream().anyMatch(node -> !node.alive()), "dead nodes listed: " + bus.nodes());
    }
}
