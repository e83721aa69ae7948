// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.InboxCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordAssemblerTest {
    private static final long NODE = 0x1234_5678_9abc_def0L;
    private static final int MAX = 300_000;

    private final PipeInboxCounters counters = new PipeInboxCounters(InboxCounters.inMemory());
    private final RecordAssembler assembler = new RecordAssembler(NODE, MAX, 1024, ByteBufAllocator.DEFAULT,
        counters);
    private final List<byte[]> received = new ArrayList<>();

    @AfterEach
    void release() {
        assembler.close();
    }

    @Test
    void shouldKeepBoundariesOfOneByteOddAndMaximumFramesBackToBackWhateverTheChunking() {
        final Random random = new Random(7);
        final List<byte[]> frames = List.of(bytes(random, 1), bytes(random, 57), bytes(random, 1023),
            bytes(random, MAX), bytes(random, 1), bytes(random, 0), bytes(random, 4097), bytes(random, MAX));
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        for (final byte[] frame : frames) {
            record(stream, frame, PipeRecordDescriptor.STATUS_COMMIT);
        }
        feed(stream, random, 1, 70_000);
        assertEquals(frames.size(), received.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), received.get(i), "frame " + i);
        }
        assertFalse(assembler.hasPartialRecord());
    }

    @Test
    void shouldRefuseLengthBeyondMaximumWithoutAllocatingForIt() {
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        stream.writeIntLE(Integer.MAX_VALUE);
        stream.writeZero(100);
        assertEquals(RecordAssembler.MALFORMED, feedAll(stream));
        assertTrue(assembler.malformedReason().contains("beyond the maximum"), assembler.malformedReason());
        assertEquals(1024, assembler.capacity());

        final RecordAssembler negative = new RecordAssembler(NODE, MAX, 1024, ByteBufAllocator.DEFAULT, counters);
        try {
            final ByteBuf other = Unpooled.buffer();
            hello(other, NODE);
            other.writeIntLE(-5);
            other.writeZero(10);
            final ByteBuffer target = negative.writableBuffer();
            target.put(other.nioBuffer());
            negative.onBytesRead(other.readableBytes());
            other.release();
            assertEquals(RecordAssembler.MALFORMED, negative.deliver(frame -> received.add(new byte[0])));
            assertEquals(1024, negative.capacity());
        } finally {
            negative.close();
        }
    }

    @Test
    void shouldSkipFramesBeyondTheMaximumAndDeliverTheFramesAroundThemWhateverTheChunking() {
        final Random random = new Random(11);
        final List<byte[]> small = List.of(bytes(random, 1), bytes(random, 64), bytes(random, MAX),
            bytes(random, 7), bytes(random, 300), bytes(random, 0));
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        record(stream, small.get(0), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, small.get(1), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, bytes(random, MAX + 1), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, small.get(2), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, small.get(3), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, bytes(random, 3 * MAX), PipeRecordDescriptor.STATUS_ABORT);
        record(stream, bytes(random, 2 * MAX), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, small.get(4), PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, small.get(5), PipeRecordDescriptor.STATUS_COMMIT);
        feed(stream, random, 1, 70_000);
        assertEquals(small.size(), received.size());
        for (int i = 0; i < small.size(); i++) {
            assertArrayEquals(small.get(i), received.get(i), "frame " + i);
        }
        assertEquals(2, assembler.oversizeFramesDropped());
        assertEquals(2, counters.oversizeFramesDropped());
        assertEquals(1, counters.abortedFrames(), "an aborted oversize record is counted as aborted");
        assertEquals(MAX + 1, assembler.firstOversizeLength());
        assertFalse(assembler.hasPartialRecord());
    }

    @Test
    void shouldRefuseABadStatusAfterASkippedFrameAndReportAPartialSkip() {
        final ByteBuf bad = Unpooled.buffer();
        hello(bad, NODE);
        record(bad, new byte[MAX + 10], (byte) 7);
        assertEquals(RecordAssembler.MALFORMED, feedAll(bad));
        assertTrue(assembler.malformedReason().contains("status"), assembler.malformedReason());

        final RecordAssembler cut = new RecordAssembler(NODE, MAX, 1024, ByteBufAllocator.DEFAULT, counters);
        try {
            final ByteBuf stream = Unpooled.buffer();
            hello(stream, NODE);
            stream.writeIntLE(MAX + 1);
            stream.writeZero(500);
            cut.writableBuffer().put(stream.nioBuffer());
            cut.onBytesRead(stream.readableBytes());
            stream.release();
            assertEquals(RecordAssembler.OK, cut.deliver(frame -> received.add(new byte[0])));
            assertTrue(cut.hasPartialRecord(), "the writer went away inside the skipped record");
            assertEquals(0, cut.oversizeFramesDropped());
        } finally {
            cut.close();
        }
    }

    @Test
    void shouldDropAbortedFramesAndKeepInStep() {
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        record(stream, new byte[] {1, 2, 3}, PipeRecordDescriptor.STATUS_COMMIT);
        record(stream, new byte[2000], PipeRecordDescriptor.STATUS_ABORT);
        record(stream, new byte[] {4}, PipeRecordDescriptor.STATUS_COMMIT);
        assertEquals(RecordAssembler.OK, feedAll(stream));
        assertEquals(2, received.size());
        assertArrayEquals(new byte[] {4}, received.get(1));
        assertEquals(1, counters.abortedFrames());
    }

    @Test
    void shouldReportPartialFrameAtEndOfStream() {
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        record(stream, new byte[] {9}, PipeRecordDescriptor.STATUS_COMMIT);
        stream.writeIntLE(500);
        stream.writeZero(200);
        assertEquals(RecordAssembler.OK, feedAll(stream));
        assertEquals(1, received.size());
        assertTrue(assembler.hasPartialRecord());
    }

    @Test
    void shouldRefuseBadHelloAndBadStatus() {
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE + 1);
        assertEquals(RecordAssembler.MALFORMED, feedAll(stream));
        assertTrue(assembler.malformedReason().contains("another node"));

        final RecordAssembler other = new RecordAssembler(NODE, MAX, 1024, ByteBufAllocator.DEFAULT, counters);
        try {
            final ByteBuf bad = Unpooled.buffer();
            hello(bad, NODE);
            record(bad, new byte[] {1}, (byte) 0);
            other.writableBuffer().put(bad.nioBuffer());
            other.onBytesRead(bad.readableBytes());
            bad.release();
            assertEquals(RecordAssembler.MALFORMED, other.deliver(frame -> received.add(new byte[0])));
            assertTrue(other.malformedReason().contains("status"));
            assertTrue(received.isEmpty());
        } finally {
            other.close();
        }
    }

    @Test
    void shouldKeepRetainedFrameIntactAfterMoreBytesArrive() {
        final List<ByteBuf> kept = new ArrayList<>();
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        record(stream, new byte[] {1, 1, 1}, PipeRecordDescriptor.STATUS_COMMIT);
        for (int i = 0; i < 50; i++) {
            record(stream, new byte[] {2, 2, 2, 2, 2, 2, 2, 2}, PipeRecordDescriptor.STATUS_COMMIT);
        }
        final boolean[] first = {true};
        while (stream.isReadable()) {
            final ByteBuffer target = assembler.writableBuffer();
            final int count = Math.min(target.remaining(), Math.min(stream.readableBytes(), 40));
            stream.readBytes(target.limit(target.position() + count));
            assembler.onBytesRead(count);
            assembler.deliver(frame -> {
                if (first[0]) {
                    kept.add(frame.retainedSlice());
                    first[0] = false;
                }
            });
        }
        stream.release();
        assertEquals(1, kept.size());
        assertArrayEquals(new byte[] {1, 1, 1}, ByteBufUtil.getBytes(kept.get(0)));
        kept.get(0).release();
    }

    @Test
    void shouldShrinkBackAfterLargeFramesStop() {
        final ByteBuf stream = Unpooled.buffer();
        hello(stream, NODE);
        record(stream, new byte[100_000], PipeRecordDescriptor.STATUS_COMMIT);
        for (int i = 0; i < 100; i++) {
            record(stream, new byte[10], PipeRecordDescriptor.STATUS_COMMIT);
        }
        feed(stream, new Random(1), 100, 5000);
        assertEquals(101, received.size());
        assertEquals(1024, assembler.capacity());
    }

    private int feedAll(final ByteBuf stream) {
        int status = RecordAssembler.OK;
        while (stream.isReadable() && status == RecordAssembler.OK) {
            final ByteBuffer target = assembler.writableBuffer();
            final int count = Math.min(target.remaining(), stream.readableBytes());
            stream.readBytes(target.limit(target.position() + count));
            assembler.onBytesRead(count);
            status = assembler.deliver(frame -> received.add(ByteBufUtil.getBytes(frame)));
        }
        stream.release();
        return status;
    }

    private void feed(final ByteBuf stream, final Random random, final int minChunk, final int maxChunk) {
        while (stream.isReadable()) {
            final ByteBuffer target = assembler.writableBuffer();
            final int chunk = minChunk + random.nextInt(maxChunk - minChunk + 1);
            final int count = Math.min(target.remaining(), Math.min(stream.readableBytes(), chunk));
            stream.readBytes(target.limit(target.position() + count));
            assembler.onBytesRead(count);
            assertEquals(RecordAssembler.OK, assembler.deliver(frame -> received.add(ByteBufUtil.getBytes(frame))));
            assertTrue(assembler.capacity() <= PipeRecordDescriptor.recordLength(MAX));
        }
        stream.release();
    }

    private static void hello(final ByteBuf stream, final long node) {
        final int index = stream.writerIndex();
        stream.writeZero(PipeHelloDescriptor.LENGTH);
        PipeHelloDescriptor.write(stream, index, node);
    }

    private static void record(final ByteBuf stream, final byte[] frame, final byte status) {
        stream.writeIntLE(frame.length);
        stream.writeBytes(frame);
        stream.writeByte(status);
    }

    private static byte[] bytes(final Random random, final int length) {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
