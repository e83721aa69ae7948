// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.MessageContext;
import dev.ipcbus.RawMessageHandler;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The receiving side of the integrity check: a raw subscription to {@code integrity.>} that checks every payload of
 * {@link IntegrityPublisher}s as it arrives: its length and checksum (intact bytes), and its sequence number against
 * the next one expected from its publisher (no duplicate, no reordering; a skipped number is a gap, to be explained by
 * a publish that threw). A slow ledger parks on every 8th message to keep publishers waiting on a full inbox.
 * <p>
 * <b>Thread safety:</b> {@link #onMessage} runs on the node's receive thread; the accessors may be read from any
 * thread once the publishers' end markers arrived.
 */
final class IntegrityLedger implements RawMessageHandler {
    private final String name;
    private final boolean slow;
    private final CRC32C crc = new CRC32C();
    private final Map<Integer, Long> next = new ConcurrentHashMap<>();
    private final Map<Integer, Set<Long>> gaps = new ConcurrentHashMap<>();
    private final Map<Integer, Long> ends = new ConcurrentHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private volatile long received;
    private long bytes;

    IntegrityLedger(final String name, final boolean slow) {
        this.name = name;
        this.slow = slow;
    }

    @Override
    public void onMessage(final ByteBuf payload, final MessageContext context) {
        final String topic = context.topic();
        if (topic.startsWith(IntegrityPublisher.END_PREFIX)) {
            final int id = Integer.parseInt(topic.substring(IntegrityPublisher.END_PREFIX.length()));
            ends.put(id, Long.parseLong(payload.toString(StandardCharsets.US_ASCII)));
            return;
        }
        final int start = payload.readerIndex();
        final int length = payload.readableBytes();
        if (length < IntegrityPublisher.HEADER_LENGTH) {
            problem("short payload: topic=" + topic + ", length=" + length);
            return;
        }
        final int id = payload.getIntLE(start);
        final long seq = payload.getLongLE(start + 4);
        final int declared = payload.getIntLE(start + 12);
        final int checksum = payload.getIntLE(start + 16);
        if (!topic.equals(IntegrityPublisher.TOPIC_PREFIX + id)) {
            problem("payload on the wrong topic: topic=" + topic + ", publisher=" + id + ", seq=" + seq);
        }
        if (declared != length) {
            problem("length mismatch: publisher=" + id + ", seq=" + seq + ", declared=" + declared
                + ", received=" + length);
            return;
        }
        crc.reset();
        crc.update(payload.nioBuffer(start + IntegrityPublisher.HEADER_LENGTH,
            length - IntegrityPublisher.HEADER_LENGTH));
        if ((int) crc.getValue() != checksum) {
            problem("corrupt payload (checksum): publisher=" + id + ", seq=" + seq + ", length=" + length);
            return;
        }
        final long expected = next.getOrDefault(id, 0L);
        if (seq < expected) {
            problem("duplicate or reordered: publisher=" + id + ", seq=" + seq + ", expected=" + expected);
            return;
        }
        for (long missing = expected; missing < seq; missing++) {
            gaps.computeIfAbsent(id, key -> new TreeSet<>()).add(missing);
        }
        next.put(id, seq + 1);
        bytes += length;
        received++;
        if (slow && (received & 7) == 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    private void problem(final String what) {
        synchronized (problems) {
            if (problems.size() < 20) {
                problems.add(name + ": " + what);
            }
        }
    }

    /**
     * @param publisher a publisher id.
     * @return the count its end marker announced, or {@code null} if the marker has not arrived.
     */
    Long end(final int publisher) {
        return ends.get(publisher);
    }

    /**
     * @param publisher a publisher id.
     * @return the sequence numbers it skipped (missing between two that arrived, or after the last one).
     */
    Set<Long> gaps(final int publisher) {
        final Set<Long> all = new TreeSet<>(gaps.getOrDefault(publisher, Set.of()));
        final Long end = ends.get(publisher);
        for (long missing = next.getOrDefault(publisher, 0L); end != null && missing < end; missing++) {
            all.add(missing);
        }
        return all;
    }

    /**
     * @return what went wrong (duplicates, reordering, corruption), at most 20.
     */
    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /**
     * @return payloads received intact and in order.
     */
    long received() {
        return received;
    }

    /**
     * @return bytes of those payloads.
     */
    long bytes() {
        return bytes;
    }
}
