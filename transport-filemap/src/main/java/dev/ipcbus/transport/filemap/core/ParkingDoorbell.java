// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import java.util.concurrent.locks.LockSupport;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.DOORBELL_SEQ_OFFSET;

/**
 * The portable doorbell: the reader parks for short intervals and re-checks the sequence word; {@link #ring()} does
 * nothing because no portable API can wake a thread of another process. Used where no cross-process wait exists
 * (macOS: no futex and no {@code /dev/shm}); a sleeping reader notices a new frame within one park interval, so the
 * wake-up latency is about {@link #PARK_NANOS} instead of a kernel wake-up's tens of microseconds.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class ParkingDoorbell implements Doorbell {
    /** Park interval while asleep: 200 microseconds, about 5,000 wake-ups a second per idle reader at most. */
    public static final long PARK_NANOS = 200_000;

    private final SharedRegion region;
    private final long parkNanos;

    /**
     * @param region the segment whose sequence word is watched.
     */
    public ParkingDoorbell(final SharedRegion region) {
        this(region, PARK_NANOS);
    }

    /**
     * @param region    the segment whose sequence word is watched.
     * @param parkNanos the park interval.
     */
    public ParkingDoorbell(final SharedRegion region, final long parkNanos) {
        this.region = region;
        this.parkNanos = parkNanos;
    }

    @Override
    public void ring() {
        // Nothing to do: the reader polls the sequence word.
    }

    @Override
    public void await(final int expectedSequence, final long timeoutNanos) {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (region.getIntVolatile(DOORBELL_SEQ_OFFSET) == expectedSequence) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(left, parkNanos));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    @Override
    public void close() {
    }
}
