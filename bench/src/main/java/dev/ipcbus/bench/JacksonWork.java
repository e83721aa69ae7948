// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.sun.management.ThreadMXBean;
import dev.ipcbus.codec.JsonCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * The Jackson work of one typed round trip of {@link IpcBench}'s {@code rtt ipcbus jackson} scenarios, without bus or
 * transport: the echo side decodes the {@link Ping} and encodes it back, the pinging side decodes the pong, builds the
 * next {@link Ping} and encodes it (two encodes and two decodes), through the bus's codec and its default mapper.
 * As in the bus, encodes write into a direct buffer after a frame header's worth of bytes, and decodes read a slice
 * of direct memory (the ring's frame payload). {@link #mapperOnly} does the same work through a bare
 * {@link ObjectWriter}/{@link ObjectReader} pair, to compare data formats (JSON, Smile, CBOR) on equal terms.
 * <p>
 * <b>Thread safety:</b> not thread-safe; each instance is driven by one thread.
 */
final class JacksonWork {
    /** Bytes before the payload, as a frame header would take (the figure does not depend on the exact value). */
    private static final int HEADER = 64;
    private static final int CAPACITY = 4096;

    /** Writes a value at a buffer's writer index. */
    @FunctionalInterface
    interface Encoder {
        void encode(Object value, ByteBuf out);
    }

    /** Reads the readable bytes of a buffer as a {@link Ping}. */
    @FunctionalInterface
    interface Decoder {
        Ping decode(ByteBuf in);
    }

    private final Encoder encoder;
    private final Decoder decoder;
    private final ByteBuf ping = Unpooled.directBuffer(CAPACITY);
    private final ByteBuf pong = Unpooled.directBuffer(CAPACITY);
    private long seq;
    /** Bytes this thread allocated while {@link #measure} measured. */
    long allocatedBytes;
    /** Round trips {@link #measure} measured. */
    long measuredRoundTrips;

    private JacksonWork(final Encoder encoder, final Decoder decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
        ping.writerIndex(HEADER);
        encoder.encode(new Ping(System.nanoTime(), 0, "EURUSD", 1.0842), ping);
    }

    /**
     * @param mapper the mapper, as configured for the bus.
     * @return the work through the bus's codec.
     */
    static JacksonWork codec(final ObjectMapper mapper) {
        final JsonCodec codec = new JsonCodec(mapper);
        final JavaType type = codec.type(Ping.class);
        return new JacksonWork((value, out) -> codec.encode(value, out, "bench"),
            in -> codec.decode(in, type, "bench"));
    }

    /**
     * @param mapper a mapper of any Jackson data format.
     * @return the work through the mapper's writer and reader for {@link Ping}: encodes through an
     * {@link OutputStream} over the buffer, decodes from a copy into a reused array.
     */
    static JacksonWork mapperOnly(final ObjectMapper mapper) {
        final ObjectWriter writer = mapper.writerFor(Ping.class);
        final ObjectReader reader = mapper.readerFor(Ping.class);
        final byte[][] scratch = {new byte[CAPACITY]};
        return new JacksonWork((value, out) -> {
            try (OutputStream stream = new ByteBufOutputStream(out)) {
                writer.writeValue(stream, value);
            } catch (final IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }, in -> {
            final int length = in.readableBytes();
            in.getBytes(in.readerIndex(), scratch[0], 0, length);
            try {
                return reader.readValue(scratch[0], 0, length);
            } catch (final IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }

    /**
     * One round trip's Jackson work.
     *
     * @return a value derived from the decoded objects, so that the work cannot be optimised away.
     */
    long roundTrip() {
        final Ping received = decoder.decode(payload(ping));
        pong.writerIndex(HEADER);
        encoder.encode(received, pong);
        final Ping echoed = decoder.decode(payload(pong));
        seq = echoed.seq() + 1;
        ping.writerIndex(HEADER);
        encoder.encode(new Ping(System.nanoTime(), seq, "EURUSD", 1.0842), ping);
        return echoed.sentNanos();
    }

    private static ByteBuf payload(final ByteBuf frame) {
        return frame.slice(HEADER, frame.writerIndex() - HEADER);
    }

    /**
     * Runs round trips: warms up for {@code warmupSeconds} and at least {@code warmupRoundTrips} (at most
     * {@code warmupMaxSeconds}), then measures each round trip for {@code seconds}.
     *
     * {@link #allocatedBytes} and {@link #measuredRoundTrips} are set on return.
     *
     * @return the measured round trips, in nanoseconds each.
     */
    Histogram measure(final int warmupSeconds, final long warmupRoundTrips, final int warmupMaxSeconds,
        final int seconds) {
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        final long start = System.nanoTime();
        final long warmEnd = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        final long warmCap = start + TimeUnit.SECONDS.toNanos(Math.max(warmupSeconds, warmupMaxSeconds));
        long warmed = 0;
        long now = start;
        while (now < warmCap && (now < warmEnd || warmed < warmupRoundTrips)) {
            for (int i = 0; i < 1000; i++) {
                sink += roundTrip();
            }
            warmed += 1000;
            now = System.nanoTime();
        }
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long thread = Thread.currentThread().getId();
        final long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long count = 0;
        while (true) {
            final long before = System.nanoTime();
            if (before >= end) {
                break;
            }
            sink += roundTrip();
            histogram.recordValue(System.nanoTime() - before);
            count++;
        }
        allocatedBytes = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        measuredRoundTrips = count;
        if (sink == 42) {
            System.out.println(); // keeps sink alive
        }
        return histogram;
    }

    /** Releases the buffers. */
    void release() {
        ping.release();
        pong.release();
    }
}
