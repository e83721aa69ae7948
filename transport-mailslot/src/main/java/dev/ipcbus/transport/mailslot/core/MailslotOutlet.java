// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An {@link Outlet} over a {@link DatagramSender}: one datagram per frame, written without waiting when the target
 * has room; otherwise waits in slices of at most {@link #LIVENESS_CHECK_NANOS}, checking between slices whether the
 * outlet was closed and whether the target node is still alive, until the timeout.
 * <p>
 * <b>Close protocol:</b> a single state word holds the number of threads inside {@link #offer} and a closed bit.
 * {@link #close()} sets the bit; whoever leaves the state at "closed, no thread inside" (close itself, or the last
 * thread to leave {@code offer}) closes the sender, so the OS object is never closed under a thread still using it and
 * {@code close} never waits (it may be called from inside a liveness check, on the offering thread).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; each frame is one datagram, so frames offered by one thread arrive in
 * the order offered.
 */
public final class MailslotOutlet implements Outlet {
    /** Longest wait between two checks of the closed flag and of the target's liveness while the target is full. */
    public static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final int CLOSED_BIT = 1 << 30;

    private final long nodeId;
    private final DatagramSender sender;
    private final int maxFrameLength;
    private final NodeLiveness liveness;
    private final Consumer<MailslotOutlet> onClose;
    private final AtomicInteger state = new AtomicInteger();

    /**
     * @param nodeId         the target node.
     * @param sender         the writer to its slot; owned by this outlet.
     * @param maxFrameLength the largest frame accepted.
     * @param liveness       asked whether the target is alive while waiting.
     * @param onClose        told once when the outlet is closed (the transport forgets it).
     */
    public MailslotOutlet(
        final long nodeId,
        final DatagramSender sender,
        final int maxFrameLength,
        final NodeLiveness liveness,
        final Consumer<MailslotOutlet> onClose) {
        this.nodeId = nodeId;
        this.sender = sender;
        this.maxFrameLength = maxFrameLength;
        this.liveness = liveness;
        this.onClose = onClose;
    }

    /**
     * Writes one frame as one datagram.
     * <p>
     * <b>Ownership:</b> borrows {@code frame}; its indexes are left unchanged.
     *
     * @param frame        the frame, at most the transport's maximum frame length.
     * @param timeoutNanos how long to wait while the target is full; 0 means do not wait.
     * @return {@link #SENT}; {@link #BACK_PRESSURED} if the target stayed full until the timeout; {@link #PEER_GONE}
     * if the target slot is gone or its node is dead; {@link #CLOSED} if this outlet was closed, before or during the
     * call.
     * @throws IllegalArgumentException if the frame is longer than the maximum frame length.
     */
    @Override
    public int offer(final ByteBuf frame, final long timeoutNanos) {
        final int length = frame.readableBytes();
        if (length > maxFrameLength) {
            throw new IllegalArgumentException("frame too large for mailslot: length=" + length
                + ", maxFrameLength=" + maxFrameLength + ", node=" + NodeIds.format(nodeId));
        }
        if (!enter()) {
            return CLOSED;
        }
        try {
            int result = sender.send(frame);
            if (result != DatagramSender.WOULD_BLOCK) {
                return result;
            }
            if (timeoutNanos <= 0) {
                return BACK_PRESSURED;
            }
            final long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                if (isClosed()) {
                    return CLOSED;
                }
                if (!liveness.isAlive(nodeId)) {
                    return PEER_GONE;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return BACK_PRESSURED;
                }
                sender.awaitWritable(Math.min(remaining, LIVENESS_CHECK_NANOS));
                if (isClosed()) {
                    return CLOSED;
                }
                result = sender.send(frame);
                if (result != DatagramSender.WOULD_BLOCK) {
                    return result;
                }
            }
        } finally {
            leave();
        }
    }

    /**
     * @return the target node.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * @return {@code true} once {@link #close()} was called.
     */
    public boolean isClosed() {
        return (state.get() & CLOSED_BIT) != 0;
    }

    /**
     * Closes the outlet: offers in progress return {@link #CLOSED} within {@link #LIVENESS_CHECK_NANOS}, later ones at
     * once. Returns without waiting for them. Idempotent.
     */
    @Override
    public void close() {
        final int previous = state.getAndUpdate(value -> value | CLOSED_BIT);
        if ((previous & CLOSED_BIT) != 0) {
            return;
        }
        try {
            if (previous == 0) {
                sender.close();
            }
        } finally {
            onClose.accept(this);
        }
    }

    private boolean enter() {
        while (true) {
            final int value = state.get();
            if ((value & CLOSED_BIT) != 0) {
                return false;
            }
            if (state.compareAndSet(value, value + 1)) {
                return true;
            }
        }
    }

    private void leave() {
        if (state.decrementAndGet() == CLOSED_BIT) {
            sender.close();
        }
    }
}
