// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request/reply in one process: replies, replies from a completion stage, round robin over responders, timeouts,
 * no responder, a responder's exception carried back.
 */
abstract class RequestReplyContract extends PublishSubscribeContract {
    @Test
    void shouldReplyToRequest() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("stock.check", Order.class, (order, context) -> order.quantity() * 2);
        final int reply = await(requester.request("stock.check", new Order("B", 21, List.of()), Integer.class,
            WAIT));
        assertEquals(42, reply);
    }

    @Test
    void shouldReplyFromCompletionStage() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        responder.respond("async", String.class,
            (request, context) -> CompletableFuture.supplyAsync(() -> request.toUpperCase()));
        assertEquals("PING", await(requester.request("async", "ping", String.class, WAIT)));
    }

    @Test
    void shouldSpreadRequestsOverResponders() throws Exception {
        final Bus requester = open();
        open().respond("who", String.class, (request, context) -> "one");
        open().respond("who", String.class, (request, context) -> "two");
        // The core alternates responders, so 4 requests reach both; an engine (a NATS queue group) picks one at
        // random per request, so it gets up to 64 (both seen unless a 1 in 2^63 run of one side).
        final int attempts = engineRouted() ? 64 : 4;
        final List<String> replies = new ArrayList<>();
        for (int i = 0; i < attempts && !(replies.contains("one") && replies.contains("two")); i++) {
            replies.add(await(requester.request("who", "?", String.class, WAIT)));
        }
        assertTrue(replies.contains("one") && replies.contains("two"), "round robin: " + replies);
    }

    @Test
    void shouldTimeOutRequest() throws Exception {
        final Bus requester = open();
        open().respond("slow", String.class, (request, context) -> new CompletableFuture<String>());
        final long start = System.nanoTime();
        final CompletableFuture<String> reply = requester.request("slow", "x", String.class, Duration.ofMillis(300));
        assertThrows(RequestTimeoutException.class, () -> await(reply));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "timed out too early");
    }

    @Test
    void shouldFailAtOnceWithoutResponder() {
        final Bus requester = open();
        final CompletableFuture<String> reply = requester.request("nobody.home", "x", String.class,
            Duration.ofSeconds(30));
        if (!engineRouted()) {
            assertTrue(reply.isDone(), "must fail at once, not after the timeout");
        }
        // an engine answers "no responders" after one round trip: long before the timeout
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> reply.get(5, TimeUnit.SECONDS));
        assertInstanceOf(NoResponderException.class, ex.getCause());
    }

    @Test
    void shouldCarryResponderException() throws Exception {
        final Bus requester = open();
        open().respond("fails", String.class, (request, context) -> {
            throw new IllegalStateException("out of stock: " + request);
        });
        final ResponderFailedException ex = assertThrows(ResponderFailedException.class,
            () -> await(requester.request("fails", "A-7", String.class, WAIT)));
        assertEquals(IllegalStateException.class.getName(), ex.remoteType());
        assertEquals("out of stock: A-7", ex.remoteMessage());
    }
}
