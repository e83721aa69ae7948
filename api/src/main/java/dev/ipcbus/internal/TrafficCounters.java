// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.registry.CounterFile;
import dev.ipcbus.registry.NodeCounters;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's per-message counters (frames and bytes sent and received) kept without atomic instructions on the hot
 * path: each sending thread counts in its own {@link Cell} and the receive thread in another, each with release
 * stores of a value only it writes; {@link #flush()} (the node's timer, every sweep, and on demand) sums the cells and
 * publishes the totals to the node's shared {@link CounterFile}, where other processes read them. Totals there lag by
 * at most one sweep period.
 * <p>
 * <b>Thread safety:</b> each sending thread counts in the cell {@link #newSender()} gave it (the core keeps it in the
 * thread's {@link OutgoingFrame}); {@link #received} is for the inbox's receive calls, which the transport
 * serializes; {@link #flush()} may run on any thread.
 */
final class TrafficCounters {
    private static final VarHandle FRAMES;
    private static final VarHandle BYTES;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            FRAMES = lookup.findVarHandle(Cell.class, "frames", long.class);
            BYTES = lookup.findVarHandle(Cell.class, "bytes", long.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final CounterFile file;
    private final CopyOnWriteArrayList<Cell> senders = new CopyOnWriteArrayList<>();
    private final Cell receiver = new Cell();

    /** Counts of one writer: frames and bytes. Written only by its owner (plain read, release store). */
    static final class Cell {
        private long frames;
        private long bytes;

        void add(final int length) {
            FRAMES.setRelease(this, frames + 1);
            BYTES.setRelease(this, bytes + length);
        }

        long frames() {
            return (long)FRAMES.getAcquire(this);
        }

        long bytes() {
            return (long)BYTES.getAcquire(this);
        }
    }

    TrafficCounters(final CounterFile file) {
        this.file = file;
    }

    /**
     * @return a new cell for one sending thread's frames, included in every {@link #flush()} from now on.
     */
    Cell newSender() {
        final Cell cell = new Cell();
        senders.add(cell);
        return cell;
    }

    /**
     * Counts one frame received; called from the inbox's (serialized) receive calls only.
     *
     * @param length the frame length.
     */
    void received(final int length) {
        receiver.add(length);
    }

    /**
     * Publishes the current totals to the shared counter file.
     */
    synchronized void flush() {
        long frames = 0;
        long bytes = 0;
        for (final Cell cell : senders) {
            frames += cell.frames();
            bytes += cell.bytes();
        }
        file.set(NodeCounters.FRAMES_SENT, frames);
        file.set(NodeCounters.BYTES_SENT, bytes);
        file.set(NodeCounters.FRAMES_RECEIVED, receiver.frames());
        file.set(NodeCounters.BYTES_RECEIVED, receiver.bytes());
    }
}
