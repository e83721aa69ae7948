// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.frame.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The publishing side of the integrity check ({@link IntegrityLedger}): publishes raw, checksummed payloads with a
 * per-publisher sequence number and sizes drawn across the whole range the transport carries, exactly at its limit
 * included, until a time, count or byte budget runs out. Runs in a child JVM
 * ({@code IntegrityPublisher <uri> <publisher id> <seconds> <max messages> <max bytes> <seed>}) or on a thread.
 * <p>
 * Payload layout (little-endian): publisher id (32), sequence (64), payload length (32), CRC32C of the bytes from
 * offset {@link #HEADER_LENGTH} to the end (32), then bytes drawn from a generator seeded with the sequence.
 * <p>
 * Prints {@code READY <node id>}, then one {@code FAILED <seq> <exception>} line per publish that threw, and at the
 * end {@code DONE <sent> <failed>} once its end marker ({@code integrity.end.<id>}, payload: the count) went out.
 */
public final class IntegrityPublisher {
    /** Topic prefix of the payloads; the publisher id follows. */
    static final String TOPIC_PREFIX = "integrity.p";
    /** Topic prefix of the end markers. */
    static final String END_PREFIX = "integrity.end.";
    /** Bytes before the random part of a payload. */
    static final int HEADER_LENGTH = 20;

    private IntegrityPublisher() {
    }

    /**
     * @param args {@code <uri> <publisher id> <seconds> <max messages> <max bytes> <seed>}.
     */
    public static void main(final String[] args) {
        try (Bus bus = Bus.open(BusConfig.builder().uri(args[0]).nodeName("integrity-publisher").build())) {
            System.out.println("READY " + bus.nodeId());
            System.out.flush();
            run(bus, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                Long.parseLong(args[4]), Long.parseLong(args[5]), System.out);
        }
    }

    /**
     * @param bus         the publisher's node.
     * @param id          the publisher id.
     * @param seconds     how long to publish at most.
     * @param maxMessages how many payloads to publish at most.
     * @param maxBytes    how many payload bytes to publish at most.
     * @param seed        seeds the size distribution.
     * @param out         receives the {@code FAILED} and {@code DONE} lines.
     */
    static void run(final Bus bus, final int id, final int seconds, final long maxMessages, final long maxBytes,
        final long seed, final PrintStream out) {
        final String topic = TOPIC_PREFIX + id;
        final int max = maxPayload(bus, topic);
        final SplittableRandom sizes = new SplittableRandom(seed);
        final ByteBuf payload = Unpooled.directBuffer(max);
        final CRC32C crc = new CRC32C();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        long failed = 0;
        long bytes = 0;
        try {
            for (long seq = 0; seq < maxMessages && bytes < maxBytes && System.nanoTime() < deadline; seq++) {
                final int length = size(sizes, max);
                payload.clear().writeIntLE(id).writeLongLE(seq).writeIntLE(length).writeIntLE(0);
                final SplittableRandom content = new SplittableRandom(seq * 31 + id);
                int remaining = length - HEADER_LENGTH;
                for (; remaining >= Long.BYTES; remaining -= Long.BYTES) {
                    payload.writeLong(content.nextLong());
                }
                for (; remaining > 0; remaining--) {
                    payload.writeByte(content.nextInt());
                }
                crc.reset();
                crc.update(payload.nioBuffer(HEADER_LENGTH, length - HEADER_LENGTH));
                payload.setIntLE(HEADER_LENGTH - Integer.BYTES, (int) crc.getValue());
                try {
                    bus.publishRaw(topic, payload);
                } catch (final RuntimeException ex) {
                    failed++;
                    out.println("FAILED " + seq + " " + ex);
                    out.flush();
                }
                sent++;
                bytes += length;
            }
        } finally {
            payload.release();
        }
        bus.publishRaw(END_PREFIX + id, Long.toString(sent).getBytes(StandardCharsets.US_ASCII));
        out.println("DONE " + sent + " " + failed);
        out.flush();
    }

    /**
     * @return the largest raw payload the bus (not stamping frames) carries on {@code topic}.
     */
    static int maxPayload(final Bus bus, final String topic) {
        return bus.maxFrameLength() - FrameDescriptor.headerLength(FrameDescriptor.TYPE_PUBLISH, 0)
            - topic.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Sizes: 5% exactly the maximum, 5% tiny, the rest log-uniform over the whole range. */
    private static int size(final SplittableRandom random, final int max) {
        final int draw = random.nextInt(100);
        if (draw < 5) {
            return max;
        }
        if (draw < 10) {
            return HEADER_LENGTH + random.nextInt(48);
        }
        final double logSize = Math.log(HEADER_LENGTH)
            + random.nextDouble() * (Math.log(max) - Math.log(HEADER_LENGTH));
        return (int) Math.max(HEADER_LENGTH, Math.min(max, Math.round(Math.exp(logSize))));
    }
}
