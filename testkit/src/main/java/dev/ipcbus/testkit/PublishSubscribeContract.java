// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.CodecException;
import dev.ipcbus.MessageContext;
import dev.ipcbus.Subscription;
import com.fasterxml.jackson.core.type.TypeReference;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static dev.ipcbus.testkit.ContractSupport.await;
import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static dev.ipcbus.testkit.ContractSupport.drain;
import static dev.ipcbus.testkit.ContractSupport.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publish/subscribe: fan-out, the publisher's own subscription, order per publisher, patterns, executors and generic
 * types, raw buffers, headers, many threads, late subscribers, unsubscribe, undecodable messages, bad topics.
 */
abstract class PublishSubscribeContract extends ContractFixture {
    @Test
    void shouldFanOutToEverySubscriber() throws Exception {
        final Bus publisher = open();
        final List<LinkedBlockingQueue<Order>> inboxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final LinkedBlockingQueue<Order> inbox = new LinkedBlockingQueue<>();
            inboxes.add(inbox);
            open().subscribe("orders.>", Order.class, (order, context) -> inbox.add(order));
        }
        final Order order = new Order("A-1", 3, List.of("apple", "pear"));
        publisher.publish("orders.eu.created", order);
        for (final LinkedBlockingQueue<Order> inbox : inboxes) {
            assertEquals(order, poll(inbox));
        }
    }

    @Test
    void shouldDeliverToPublishersOwnSubscription() throws Exception {
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribe("self.test", String.class, (message, context) -> inbox.add(message + "@" + context.senderNode()));
        bus.publish("self.test", "hello");
        assertEquals("hello@" + bus.nodeId(), poll(inbox));
    }

    @Test
    void shouldKeepFifoPerPublisher() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<Integer> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("seq", Integer.class, (value, context) -> inbox.add(value));
        final int count = 2000;
        for (int i = 0; i < count; i++) {
            publisher.publish("seq", i);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i, poll(inbox));
        }
        // Counters are published every sweep (100 ms): another node sees the total shortly.
        awaitUntil(() -> counter(subscriber, publisher, "framesSent") == count,
            "framesSent=" + count + " readable by another node");
    }

    @Test
    void shouldMatchWildcards() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final Map<String, LinkedBlockingQueue<String>> byPattern = Map.of(
            "a.*.c", new LinkedBlockingQueue<>(),
            "a.>", new LinkedBlockingQueue<>(),
            "a.b.c", new LinkedBlockingQueue<>(),
            "*.b", new LinkedBlockingQueue<>());
        byPattern.forEach((pattern, queue) ->
            subscriber.subscribe(pattern, String.class, (message, context) -> queue.add(context.topic())));
        for (final String topic : List.of("a", "a.b", "a.b.c", "a.x.c", "a.b.c.d", "x.b", "end")) {
            publisher.publish(topic, topic);
        }
        final LinkedBlockingQueue<String> end = new LinkedBlockingQueue<>();
        subscriber.subscribe("end", String.class, (message, context) -> end.add(message));
        publisher.publish("end", "end");
        poll(end); // every earlier message has been dispatched (FIFO per publisher, one receive thread)
        assertEquals(List.of("a.b.c", "a.x.c"), drain(byPattern.get("a.*.c")));
        assertEquals(List.of("a.b", "a.b.c", "a.x.c", "a.b.c.d"), drain(byPattern.get("a.>")));
        assertEquals(List.of("a.b.c"), drain(byPattern.get("a.b.c")));
        assertEquals(List.of("a.b", "x.b"), drain(byPattern.get("*.b")));
    }

    @Test
    void shouldRunHandlersOnTheGivenExecutorWithGenericTypes() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final ExecutorService executor = Executors.newSingleThreadExecutor(
            runnable -> new Thread(runnable, "contract-executor"));
        try {
            final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            subscriber.subscribe("exec", String.class, (message, context) ->
                inbox.add(Thread.currentThread().getName() + ":" + message + ":" + context.topic()), executor);
            final LinkedBlockingQueue<List<Order>> lists = new LinkedBlockingQueue<>();
            subscriber.subscribe("generic", new TypeReference<List<Order>>() { },
                (orders, context) -> lists.add(orders));
            publisher.publish("exec", "hi");
            publisher.publish("generic", List.of(new Order("G", 1, List.of("x"))));
            assertEquals("contract-executor:hi:exec", poll(inbox));
            assertEquals(List.of(new Order("G", 1, List.of("x"))), poll(lists));
            subscriber.respond("generic.reply", String.class, (request, context) -> Map.of("k", List.of(1, 2)));
            final Map<String, List<Integer>> reply = await(publisher.request("generic.reply", "?",
                new TypeReference<Map<String, List<Integer>>>() { }, WAIT));
            assertEquals(Map.of("k", List.of(1, 2)), reply);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldPublishRawByteBufWithoutChangingIt() throws Exception {
        final Bus bus = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        bus.subscribeRaw("raw", (payload, context) -> inbox.add(payload.toString(StandardCharsets.US_ASCII)));
        final ByteBuf payload = Unpooled.copiedBuffer("xxhello", StandardCharsets.US_ASCII);
        try {
            payload.readerIndex(2);
            bus.publishRaw("raw", payload);
            assertEquals(2, payload.readerIndex());
            assertEquals("hello", poll(inbox));
        } finally {
            payload.release();
        }
    }

    @Test
    void shouldCarryHeadersAndMetadata() throws Exception {
        final Bus publisher = openWith("timestamps=true");
        final Bus unstamped = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<MessageContext> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("meta", String.class, (message, context) -> inbox.add(context.copy()));
        final long before = System.currentTimeMillis();
        publisher.publish("meta", "x", Map.of("trace-id", "abc123", "tenant", "ünï"));
        final MessageContext context = poll(inbox);
        assertEquals("meta", context.topic());
        assertEquals(publisher.nodeId(), context.senderNode());
        assertEquals(Map.of("trace-id", "abc123", "tenant", "ünï"), context.headers());
        assertTrue(Math.abs(context.timestampNanos() / 1_000_000 - before) < 60_000, "timestamp near now");
        unstamped.publish("meta", "y");
        final MessageContext plain = poll(inbox);
        assertEquals(unstamped.nodeId(), plain.senderNode());
        assertEquals(Map.of(), plain.headers());
        assertEquals(0, plain.timestampNanos(), "timestamps are opt-in");
    }

    @Test
    void shouldAcceptManyPublisherThreadsAtOnce() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final int threads = 4;
        final int perThread = 500;
        final LinkedBlockingQueue<int[]> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("mt", int[].class, (value, context) -> inbox.add(value));
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            final Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        publisher.publish("mt", new int[] {thread, i});
                    }
                } catch (final Throwable ex) {
                    failures.add(ex);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        final int[] next = new int[threads];
        for (int i = 0; i < threads * perThread; i++) {
            final int[] value = poll(inbox);
            assertEquals(next[value[0]]++, value[1], "per-thread order for thread " + value[0]);
        }
        for (final Thread worker : workers) {
            worker.join(WAIT.toMillis());
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldDeliverToLateSubscriber() throws Exception {
        final Bus publisher = open();
        publisher.publish("late", "before anyone listens");
        final Bus subscriber = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("late", String.class, (message, context) -> inbox.add(message));
        publisher.publish("late", "after subscribe returned");
        assertEquals("after subscribe returned", poll(inbox));
    }

    @Test
    void shouldStopDeliveringAfterUnsubscribe() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final Subscription subscription = subscriber.subscribe("un", String.class, (m, c) -> inbox.add(m));
        final LinkedBlockingQueue<String> marker = new LinkedBlockingQueue<>();
        subscriber.subscribe("marker", String.class, (m, c) -> marker.add(m));
        publisher.publish("un", "one");
        assertEquals("one", poll(inbox));
        subscription.close();
        publisher.publish("un", "two");
        publisher.publish("marker", "done");
        poll(marker);
        assertEquals(List.of(), drain(inbox));
    }

    @Test
    void shouldReportUndecodableMessageAndKeepReceiving() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<Order> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("typed", Order.class, (order, context) -> inbox.add(order));
        publisher.publish("typed", List.of("not", "an", "order"));
        publisher.publishRaw("typed", "{\"id\": \"trunc".getBytes(StandardCharsets.UTF_8));
        final Order good = new Order("C", 1, List.of());
        publisher.publish("typed", good);
        assertEquals(good, poll(inbox));
        final List<Throwable> errors = takeBackgroundErrors();
        assertEquals(2, errors.size(), "one error for each undecodable message: " + errors);
        for (final Throwable error : errors) {
            assertInstanceOf(CodecException.class, error);
            assertTrue(error.getMessage().contains("topic=typed"), error.getMessage());
        }
    }

    @Test
    void shouldRefuseBadTopicsAndPatterns() {
        final Bus bus = open();
        assertThrows(IllegalArgumentException.class, () -> bus.publish("", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a..b", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a.*", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("a b", "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.publish("x".repeat(256), "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.subscribe("a.>.b", String.class, (m, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> bus.subscribe("a.b*", String.class, (m, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> bus.respond("a.*", String.class, (m, c) -> m));
    }
}
