// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.NodeIds;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link FilemapPlatform} over direct buffers in one JVM, with a doorbell built on {@link LockSupport}: drives the
 * platform-neutral transport in unit tests.
 */
final class InMemoryFilemapPlatform implements FilemapPlatform {
    final Map<String, Entry> segments = new ConcurrentHashMap<>();

    static final class Entry {
        final ByteBuffer buffer;
        volatile Thread waiter;

        Entry(final ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public MappedSegment create(final long nodeId, final int length) {
        final String address = "mem:" + NodeIds.format(nodeId);
        final Entry entry = new Entry(ByteBuffer.allocateDirect(length));
        if (segments.putIfAbsent(address, entry) != null) {
            throw new BusException("exists: " + address);
        }
        return new Segment(address, entry, true);
    }

    @Override
    public MappedSegment open(final long nodeId, final String address, final long timeoutNanos) {
        final Entry entry = segments.get(address);
        if (entry == null) {
            throw new SegmentGoneException("filemap inbox is gone: address=" + address);
        }
        final Segment segment = new Segment(address, entry, false);
        SegmentHeader.awaitReady(segment.region, timeoutNanos, address);
        SegmentHeader.validate(segment.region, address);
        return segment;
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        segments.remove("mem:" + NodeIds.format(nodeId));
    }

    final class Segment implements MappedSegment, Doorbell {
        final String address;
        final Entry entry;
        final SharedRegion region;
        final boolean owner;

        Segment(final String address, final Entry entry, final boolean owner) {
            this.address = address;
            this.entry = entry;
            this.region = new SharedRegion(entry.buffer);
            this.owner = owner;
        }

        @Override
        public SharedRegion region() {
            return region;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public Doorbell doorbell() {
            return this;
        }

        @Override
        public void ring() {
            final Thread waiter = entry.waiter;
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }

        @Override
        public void await(final int expectedSequence, final long timeoutNanos) {
            entry.waiter = Thread.currentThread();
            try {
                if (region.getIntVolatile(SegmentDescriptor.DOORBELL_SEQ_OFFSET) == expectedSequence) {
                    LockSupport.parkNanos(timeoutNanos);
                }
            } finally {
                entry.waiter = null;
            }
        }

        @Override
        public void close() {
            if (owner) {
                segments.remove(address);
            }
        }
    }
}
