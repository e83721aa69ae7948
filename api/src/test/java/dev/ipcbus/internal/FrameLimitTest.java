// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.ResponderFailedException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core checks every target's advertised inbox limit (its registry record's {@code maxFrameLength}) before it sends
 * anything (issue 13, item 2): a loopback node with {@code inboxLimit=200} next to one that does not advertise a limit.
 */
class FrameLimitTest {
    private static final String SMALL = "loopback://limits?inboxLimit=200";
    private static final String UNKNOWN = "loopback://limits";
    private static final int TOO_LARGE = 300;

    private final List<Bus> buses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        buses.forEach(Bus::close);
    }

    private Bus open(final String uri) {
        final Bus bus = Bus.open(uri);
        buses.add(bus);
        return bus;
    }

    @Test
    void shouldRefuseAPublishTooLargeForOneSubscriberBeforeSendingToAny() {
        final Bus small = open(SMALL);
        final Bus other = open(UNKNOWN);
        final List<Integer> toSmall = new ArrayList<>();
        final List<Integer> toOther = new ArrayList<>();
        small.subscribeRaw("limits.fan", (payload, context) -> toSmall.add(payload.readableBytes()));
        other.subscribeRaw("limits.fan", (payload, context) -> toOther.add(payload.readableBytes()));

        final MessageTooLargeException refused = assertThrows(MessageTooLargeException.class,
            () -> other.publishRaw("limits.fan", Unpooled.wrappedBuffer(new byte[TOO_LARGE])));
        assertEquals(small.nodeId(), refused.node());
        assertEquals(200, refused.maxLength());
        assertTrue(refused.getMessage().contains("node=" + small.nodeId()), refused.getMessage());
        assertEquals(List.of(), toSmall);
        assertEquals(List.of(), toOther, "nothing sent to any target, not even the one that would take it");

        other.publishRaw("limits.fan", Unpooled.wrappedBuffer(new byte[100]));
        assertEquals(List.of(100), toSmall);
        assertEquals(List.of(100), toOther);
    }

    @Test
    void shouldSendWhatTheTransportTakesToANodeThatAdvertisesNoLimit() {
        final Bus other = open(UNKNOWN);
        final Bus publisher = open(SMALL);
        final List<Integer> received = new ArrayList<>();
        other.subscribeRaw("limits.unknown", (payload, context) -> received.add(payload.readableBytes()));
        publisher.publishRaw("limits.unknown", Unpooled.wrappedBuffer(new byte[3000]));
        assertEquals(List.of(3000), received);
    }

    @Test
    void shouldFailARequestTooLargeForTheResponder() {
        final Bus responder = open(SMALL);
        final Bus requester = open(UNKNOWN);
        responder.respond("limits.request", String.class, (request, context) -> "ok");
        final CompletionException failed = assertThrows(CompletionException.class, () -> requester.request(
            "limits.request", "x".repeat(TOO_LARGE), String.class, Duration.ofSeconds(5)).join());
        final MessageTooLargeException refused = assertInstanceOf(MessageTooLargeException.class, failed.getCause());
        assertEquals(responder.nodeId(), refused.node());
        assertEquals("ok", requester.request("limits.request", "x", String.class, Duration.ofSeconds(5))
            .orTimeout(5, TimeUnit.SECONDS).join());
    }

    @Test
    void shouldAnswerWithAnErrorWhenTheReplyIsTooLargeForTheRequester() {
        final Bus responder = open(UNKNOWN);
        final Bus requester = open(SMALL);
        responder.respond("limits.reply", String.class, (request, context) -> "y".repeat(TOO_LARGE));
        final CompletionException failed = assertThrows(CompletionException.class, () -> requester.request(
            "limits.reply", "x", String.class, Duration.ofSeconds(5)).orTimeout(5, TimeUnit.SECONDS).join());
        final ResponderFailedException error = assertInstanceOf(ResponderFailedException.class, failed.getCause());
        assertEquals(MessageTooLargeException.class.getName(), error.remoteType());
        assertTrue(error.getMessage().contains("node=" + requester.nodeId()), error.getMessage());
    }
}
