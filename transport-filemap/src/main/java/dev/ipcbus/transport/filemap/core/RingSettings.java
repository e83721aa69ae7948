// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

/**
 * The settings of one filemap transport, validated.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class RingSettings {
    private final int capacity;
    private final IdleMode idleMode;
    private final long stallTimeoutNanos;
    private final long openTimeoutNanos;

    /**
     * @param capacity          ring capacity of this node's inbox, a power of two.
     * @param idleMode          how the reader and waiting writers idle.
     * @param stallTimeoutNanos how long a claimed record may stay unpublished before the reader skips it.
     * @param openTimeoutNanos  how long opening a segment waits for its ready signal.
     * @throws IllegalArgumentException if the capacity is invalid or a timeout is not positive.
     */
    public RingSettings(
        final int capacity,
        final IdleMode idleMode,
        final long stallTimeoutNanos,
        final long openTimeoutNanos) {
        SegmentDescriptor.checkCapacity(capacity);
        if (stallTimeoutNanos <= 0 || openTimeoutNanos <= 0) {
            throw new IllegalArgumentException("timeouts must be positive: stallTimeoutNanos=" + stallTimeoutNanos
                + ", openTimeoutNanos=" + openTimeoutNanos);
        }
        this.capacity = capacity;
        this.idleMode = idleMode;
        this.stallTimeoutNanos = stallTimeoutNanos;
        this.openTimeoutNanos = openTimeoutNanos;
    }

    /**
     * @return ring capacity in bytes.
     */
    public int capacity() {
        return capacity;
    }

    /**
     * @return the idle mode.
     */
    public IdleMode idleMode() {
        return idleMode;
    }

    /**
     * @return the stall timeout in nanoseconds.
     */
    public long stallTimeoutNanos() {
        return stallTimeoutNanos;
    }

    /**
     * @return the open timeout in nanoseconds.
     */
    public long openTimeoutNanos() {
        return openTimeoutNanos;
    }

    @Override
    public String toString() {
        return "RingSettings{capacity=" + capacity + ", idle=" + idleMode.optionValue() + ", stallTimeoutMillis="
            + stallTimeoutNanos / 1_000_000 + "}";
    }
}
