// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.spi.Inbox;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One node's inbox: its slot and the thread running its {@link ReceiveLoop}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class MailslotInbox implements Inbox {
    /** How long {@link #close()} waits for the receive thread before giving up (and reporting nothing). */
    static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long nodeId;
    private final String address;
    private final ReceiveLoop loop;
    private final MailslotInboxCounters counters;
    private final Consumer<MailslotInbox> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    MailslotInbox(
        final long nodeId,
        final String address,
        final ReceiveLoop loop,
        final MailslotInboxCounters counters,
        final Consumer<MailslotInbox> onClose) {
        this.nodeId = nodeId;
        this.address = address;
        this.loop = loop;
        this.counters = counters;
        this.onClose = onClose;
    }

    /**
     * @return the slot's address: a socket path on POSIX, a mailslot name on Windows.
     */
    @Override
    public String address() {
        return address;
    }

    /**
     * @return the largest datagram the receive loop delivers ({@code maxFrame}).
     */
    @Override
    public int maxFrameLength() {
        return loop.maxFrameLength();
    }

    /**
     * @return the owning node.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * @return this inbox's counters, live.
     */
    public MailslotInboxCounters counters() {
        return counters;
    }

    /**
     * Stops the receive thread, waits for it (unless called from the listener, on that thread) and removes the slot.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.stop();
            if (!loop.isLoopThread()) {
                loop.awaitStopped(CLOSE_WAIT_NANOS);
            }
        } finally {
            onClose.accept(this);
        }
    }
}
