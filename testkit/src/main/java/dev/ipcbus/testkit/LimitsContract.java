// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BackpressureTimeoutException;
import dev.ipcbus.MessageTooLargeException;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static dev.ipcbus.testkit.ContractSupport.poll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits: payloads up to the maximum and one byte more, backpressure from a slow subscriber, sixty-four nodes on one
 * bus, more topics than any cache holds.
 */
abstract class LimitsContract extends RequestReplyContract {
    @Test
    void shouldCarryPayloadsUpToTheMaximumAndRefuseOneByteMore() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribeRaw("blob", (payload, context) -> {
            final byte[] bytes = new byte[payload.readableBytes()];
            payload.getBytes(payload.readerIndex(), bytes);
            inbox.add(bytes);
        });
        final int max = maxRawPayload(publisher, "blob");
        for (final int size : new int[] {0, 1, 7, 1000, 4093, max / 2 + 3, max}) {
            final byte[] payload = new byte[size];
            ThreadLocalRandom.current().nextBytes(payload);
            publisher.publishRaw("blob", payload);
            assertArrayEquals(payload, poll(inbox), "size " + size);
        }
        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> publisher.publishRaw("blob", new byte[max + 1]));
        assertEquals(publisher.maxFrameLength(), ex.maxLength());
        publisher.publishRaw("blob", new byte[] {42});
        assertArrayEquals(new byte[] {42}, poll(inbox), "still working after the refusal");
    }

    @Test
    void shouldFailWithBackpressureNamingTheSlowNodeAndRecover() throws Exception {
        assumeInboxTransport("no backpressure (the engine drops for a slow consumer), no publishTimeout "
            + "option");
        final Bus publisher = openWith("publishTimeout=300ms");
        final Bus slow = open();
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();
        slow.subscribeRaw("flood", (payload, context) -> {
            received.incrementAndGet();
            release.await();
        });
        final byte[] payload = new byte[Math.min(1024, publisher.maxFrameLength() / 4)];
        BackpressureTimeoutException failure = null;
        int sent = 0;
        for (; sent < 200_000 && failure == null; sent++) {
            try {
                publisher.publishRaw("flood", payload);
            } catch (final BackpressureTimeoutException ex) {
                failure = ex;
            }
        }
        assertNotNull(failure, "a full inbox must push back within " + sent + " messages");
        assertEquals(slow.nodeId(), failure.node(), failure.getMessage());
        assertTrue(failure.getMessage().contains("topic=flood"), failure.getMessage());
        release.countDown();
        final int queued = sent - 1;
        awaitUntil(() -> received.get() >= queued, "queued messages drained: " + queued);
        publisher.publishRaw("flood", payload);
        awaitUntil(() -> received.get() > queued, "publishing works again");
    }

    @Test
    void shouldServeSixtyFourNodesOnOneBus() throws Exception {
        final Bus publisher = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        for (int i = 0; i < 63; i++) {
            final String name = "n" + i;
            open().subscribe("all.>", String.class, (message, context) -> inbox.add(name + ":" + message));
        }
        assertEquals(64, publisher.nodes().size());
        publisher.publish("all.hands", "hello");
        final Set<String> got = new TreeSet<>();
        for (int i = 0; i < 63; i++) {
            got.add(poll(inbox));
        }
        assertEquals(63, got.size(), got.toString());
    }

    @Test
    void shouldKeepMemoryBoundedWithManyTopics() throws Exception {
        final Bus publisher = open();
        final Bus subscriber = open();
        final AtomicInteger count = new AtomicInteger();
        for (int p = 0; p < 50; p++) {
            subscriber.subscribeRaw("many.p" + p + ".>", (payload, context) -> count.incrementAndGet());
        }
        final int topics = 6_000; // beyond every per-topic cache bound (4096)
        for (int i = 0; i < topics; i++) {
            publisher.publishRaw("many.p" + (i % 50) + ".t" + i, new byte[] {1});
        }
        awaitUntil(() -> count.get() == topics, topics + " messages on as many topics");
    }
}
