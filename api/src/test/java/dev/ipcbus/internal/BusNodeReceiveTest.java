// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.CodecException;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ipcbus.frame.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the core does with frames a foreign writer puts into a node's inbox: topics that break the topic rules, and
 * content of the other type than the receiving subscription or request expects. Frames go through the
 * {@code loopback://} transport, which delivers on the writing thread, so every outcome is known when the write
 * returns.
 */
class BusNodeReceiveTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final String busName = "receive-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private Bus open() {
        final Bus bus = Bus.open(BusConfig.builder().uri("loopback://" + busName).errorHandler(errors::add).build());
        resources.add(bus);
        return bus;
    }

    /** An outlet of a foreign writer (its own transport instance) to the node's inbox. */
    private Outlet foreignOutlet(final Bus target) {
        final Transport foreign = new LoopbackTransportProvider().create(new TransportContext(busName,
            new TransportOptions(Map.of()), Path.of("."), id -> true, errors::add));
        resources.add(foreign);
        final NodeInfo info = target.nodes().stream().filter(n -> n.id().equals(target.nodeId())).findFirst()
            .orElseThrow();
        final Outlet outlet = foreign.openOutlet(NodeIds.parse(info.id()), info.address());
        resources.add(outlet);
        return outlet;
    }

    private static ByteBuf frame(final byte type, final byte contentType, final long sender, final long destination,
        final long correlationId, final byte[] topic, final String payload) {
        final ByteBuf frame = Unpooled.buffer();
        FrameEncoder.begin(frame, type, 0, contentType, sender, destination, correlationId, 0, topic, Map.of());
        frame.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return frame;
    }

    private static ByteBuf publish(final byte[] topic) {
        return frame(TYPE_PUBLISH, CONTENT_TYPE_JSON, 1, 0, 0, topic, "\"x\"");
    }

    /**
     * Sends a request that the responder receives and never answers.
     *
     * @param received where the responder's handler adds each request it gets.
     * @return the request's reply and the correlation id the responder saw.
     */
    private static Unanswered unanswered(final Bus requester, final Bus responder, final String topic,
        final List<String> received) {
        final AtomicLong correlationId = new AtomicLong();
        responder.respond(topic, String.class, (request, context) -> {
            received.add(request);
            correlationId.set(context.correlationId());
            return new CompletableFuture<String>();
        });
        final CompletableFuture<String> reply = requester.request(topic, "q", String.class, Duration.ofSeconds(30));
        return new Unanswered(reply, correlationId.get(), NodeIds.parse(requester.nodeId()),
            NodeIds.parse(responder.nodeId()));
    }

    /** A pending request: its reply, correlation id, and the two nodes' ids. */
    private record Unanswered(CompletableFuture<String> reply, long correlationId, long requester, long responder) {
    }

    private static long malformedFrames(final Bus bus) {
        return bus.nodes().stream().filter(n -> n.id().equals(bus.nodeId())).findFirst().orElseThrow().counters()
            .get("malformedFrames");
    }

    @Test
    void shouldDropFramesWhoseTopicBreaksTheTopicRulesAndKeepServing() {
        final Bus bus = open();
        final List<String> delivered = new ArrayList<>();
        bus.subscribeRaw(">", (payload, context) -> delivered.add(context.topic()));
        bus.subscribe(">", String.class, (message, context) -> delivered.add("typed " + context.topic()));
        final Outlet outlet = foreignOutlet(bus);
        final List<byte[]> bad = List.of(
            "orders.>".getBytes(StandardCharsets.UTF_8),
            "orders.*".getBytes(StandardCharsets.UTF_8),
            "orders..eu".getBytes(StandardCharsets.UTF_8),
            ".orders".getBytes(StandardCharsets.UTF_8),
            "orders.".getBytes(StandardCharsets.UTF_8),
            "orders eu".getBytes(StandardCharsets.UTF_8),
            "orders.\u2003eu".getBytes(StandardCharsets.UTF_8),
            "orders.\neu".getBytes(StandardCharsets.UTF_8),
            new byte[] {'o', 'r', (byte)0xC3, 0x28}, // malformed UTF-8
            new byte[] {'o', (byte)0xC0, (byte)0xAE, 'x'}, // overlong encoding of '.'
            new byte[] {'o', 'r', (byte)0xED, (byte)0xA0, (byte)0x80}); // a UTF-16 surrogate
        for (final byte[] topic : bad) {
            assertEquals(Outlet.SENT, outlet.offer(publish(topic), 0));
        }
        assertEquals(Outlet.SENT, outlet.offer(publish("orders.>".getBytes(StandardCharsets.UTF_8)), 0));
        assertEquals(List.of(), delivered, "no frame with a bad topic reaches a handler");
        assertEquals(bad.size() + 1, malformedFrames(bus), "every bad frame is counted, repeated topics too");
        assertEquals(1, errors.size(), "reported once: " + errors);
        assertInstanceOf(FrameFormatException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("bad topic: wildcard not allowed in topic: topic=orders.>"),
            errors.get(0).getMessage());

        assertEquals(Outlet.SENT, outlet.offer(publish("orders.eu".getBytes(StandardCharsets.UTF_8)), 0));
        assertEquals(List.of("orders.eu", "typed orders.eu"), delivered, "the node keeps serving");
    }

    @Test
    void shouldNameEachKindOfBadTopic() {
        final List<String> problems = new ArrayList<>();
        for (final String topic : List.of("a..b", "a b", "a.>")) {
            problems.add(assertThrows(FrameFormatException.class,
                () -> dev.ipcbus.frame.FrameFlyweight.decodeTopic(topic.getBytes(StandardCharsets.UTF_8)))
                .getMessage());
        }
        problems.add(assertThrows(FrameFormatException.class,
            () -> dev.ipcbus.frame.FrameFlyweight.decodeTopic(new byte[] {'a', (byte)0xFF})).getMessage());
        assertTrue(problems.get(0).contains("empty token"), problems.toString());
        assertTrue(problems.get(1).contains("whitespace"), problems.toString());
        assertTrue(problems.get(2).contains("wildcard"), problems.toString());
        assertTrue(problems.get(3).contains("not UTF-8"), problems.toString());
    }

    @Test
    void shouldNeitherAnswerNorCompleteWithABadTopic() throws Exception {
        final Bus requester = open();
        final Bus responder = open();
        final List<String> requests = new ArrayList<>();
        final Unanswered pending = unanswered(requester, responder, "svc.echo", requests);
        assertEquals(List.of("q"), requests);
        assertEquals(Outlet.SENT, foreignOutlet(responder).offer(frame(TYPE_REQUEST, CONTENT_TYPE_JSON,
            pending.requester(), pending.responder(), 99, "svc.>".getBytes(StandardCharsets.UTF_8), "\"bad\""), 0));
        assertEquals(List.of("q"), requests, "a request with a bad topic reaches no responder");
        assertEquals(Outlet.SENT, foreignOutlet(requester).offer(frame(TYPE_REPLY, CONTENT_TYPE_JSON,
            pending.responder(), pending.requester(), pending.correlationId(),
            "svc echo".getBytes(StandardCharsets.UTF_8), "\"r\""), 0));
        assertFalse(pending.reply().isDone(), "a reply with a bad topic completes nothing");
        assertEquals(1, malformedFrames(requester));
        assertEquals(1, malformedFrames(responder));
        assertEquals(Outlet.SENT, foreignOutlet(requester).offer(frame(TYPE_REPLY, CONTENT_TYPE_JSON,
            pending.responder(), pending.requester(), pending.correlationId(),
            "svc.echo".getBytes(StandardCharsets.UTF_8), "\"r\""), 0));
        assertEquals("r", pending.reply().get());
    }

    @Test
    void shouldReportRawContentForATypedSubscriptionAndGiveJsonBytesToARawOne() {
        final Bus bus = open();
        final List<String> typed = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        bus.subscribe("mixed", String.class, (message, context) -> typed.add(message));
        bus.subscribeRaw("mixed", (payload, context) -> raw.add(payload.toString(StandardCharsets.UTF_8)));
        final Outlet outlet = foreignOutlet(bus);
        final byte[] topic = "mixed".getBytes(StandardCharsets.UTF_8);
        assertEquals(Outlet.SENT, outlet.offer(frame(TYPE_PUBLISH, CONTENT_TYPE_RAW, 1, 0, 0, topic, "\"raw\""), 0));
        assertEquals(Outlet.SENT, outlet.offer(frame(TYPE_PUBLISH, CONTENT_TYPE_JSON, 1, 0, 0, topic, "\"json\""),
            0));
        assertEquals(List.of("json"), typed, "raw content is never decoded for a typed subscription");
        assertEquals(List.of("\"raw\"", "\"json\""), raw, "a raw subscription gets the payload bytes of either");
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(CodecException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("raw payload for a typed subscription: topic=mixed"),
            errors.get(0).getMessage());
        assertEquals(1L, bus.nodes().get(0).counters().get("handlerErrors"));
    }

    @Test
    void shouldAnswerARawRequestWithAnErrorReplyNamingTheCodecProblem() {
        final Bus responder = open();
        final Unanswered pending = unanswered(open(), responder, "svc.typed", new ArrayList<>());
        assertEquals(Outlet.SENT, foreignOutlet(responder).offer(frame(TYPE_REQUEST, CONTENT_TYPE_RAW,
            pending.requester(), pending.responder(), pending.correlationId(),
            "svc.typed".getBytes(StandardCharsets.UTF_8), "\"raw\""), 0));
        final ExecutionException ex = assertThrows(ExecutionException.class, pending.reply()::get);
        final ResponderFailedException failed = assertInstanceOf(ResponderFailedException.class, ex.getCause());
        assertEquals(CodecException.class.getName(), failed.remoteType());
        assertTrue(failed.remoteMessage().contains("raw payload for a typed responder: topic=svc.typed"),
            failed.remoteMessage());
    }

    @Test
    void shouldFailARequestWhoseReplyIsRawContent() {
        final Bus requester = open();
        final Unanswered pending = unanswered(requester, open(), "svc.raw", new ArrayList<>());
        assertEquals(Outlet.SENT, foreignOutlet(requester).offer(frame(TYPE_REPLY, CONTENT_TYPE_RAW,
            pending.responder(), pending.requester(), pending.correlationId(),
            "svc.raw".getBytes(StandardCharsets.UTF_8), "\"r\""), 0));
        assertTrue(pending.reply().isDone(), "a raw reply completes the request");
        final ExecutionException ex = assertThrows(ExecutionException.class, pending.reply()::get);
        assertInstanceOf(CodecException.class, ex.getCause());
        assertTrue(ex.getCause().getMessage().contains("raw payload in a reply: topic=svc.raw"),
            ex.getCause().getMessage());
    }
}
