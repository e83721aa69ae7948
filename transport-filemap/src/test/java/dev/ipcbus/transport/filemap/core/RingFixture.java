// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.InboxCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ring on a direct buffer, with a counting doorbell and a collecting error handler, for unit tests.
 */
final class RingFixture {
    final SharedRegion region;
    final CountingDoorbell doorbell;
    final ManyToOneRing ring;
    final RingReader reader;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Writer pids the reader's liveness check calls dead; every other pid is alive. */
    final Set<Long> deadPids = ConcurrentHashMap.newKeySet();

    RingFixture(final int capacity) {
        region = new SharedRegion(ByteBuffer.allocateDirect(SegmentDescriptor.segmentLength(capacity)));
        SegmentHeader.initialize(region, capacity, 0x1234, 1, 1_000_000_000L, "test");
        doorbell = new CountingDoorbell();
        ring = new ManyToOneRing(region, doorbell);
        reader = new RingReader(region, errors::add, "test", pid -> !deadPids.contains(pid),
            InboxCounters.inMemory());
    }

    /** @return a writer that marks its claims with {@code pid} and runs {@code afterClaim} before marking. */
    ManyToOneRing writer(final int pid, final Runnable afterClaim) {
        return new ManyToOneRing(region, doorbell, pid, afterClaim);
    }

    /** @return whether every word of the ring is zero or a skip sentinel (nothing published or claimed is left). */
    boolean ringIsFree() {
        final int capacity = region.getInt(SegmentDescriptor.CAPACITY_OFFSET);
        for (int i = 0; i < capacity; i += 8) {
            final long word = region.getLong(SegmentDescriptor.HEADER_LENGTH + i);
            if (word != 0 && !RecordDescriptor.isSentinel(word)) {
                return false;
            }
        }
        return true;
    }

    static ByteBuf frame(final int length, final int seed) {
        final ByteBuf frame = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            frame.writeByte((seed + i * 31) & 0xFF);
        }
        return frame;
    }

    static boolean matches(final ByteBuf frame, final int length, final int seed) {
        if (frame.readableBytes() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (frame.getByte(frame.readerIndex() + i) != (byte) ((seed + i * 31) & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    boolean ringIsZero() {
        final int capacity = region.getInt(SegmentDescriptor.CAPACITY_OFFSET);
        for (int i = 0; i < capacity; i += 8) {
            if (region.getLong(SegmentDescriptor.HEADER_LENGTH + i) != 0) {
                return false;
            }
        }
        return true;
    }

    static final class CountingDoorbell implements Doorbell {
        final AtomicInteger rings = new AtomicInteger();

        @Override
        public void ring() {
            rings.incrementAndGet();
        }

        @Override
        public void await(final int expectedSequence, final long timeoutNanos) {
        }

        @Override
        public void close() {
        }
    }
}
