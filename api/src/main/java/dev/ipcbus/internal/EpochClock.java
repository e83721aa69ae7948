// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

/**
 * Nanoseconds since the epoch without allocation: the wall clock read once at start-up, advanced by
 * {@link System#nanoTime()}. Monotonic within a process; may drift from the wall clock by the OS's clock adjustments
 * since start-up.
 */
final class EpochClock {
    private static final long BASE_EPOCH_NANOS;
    private static final long BASE_NANO_TIME;

    static {
        final java.time.Instant now = java.time.Instant.now();
        BASE_NANO_TIME = System.nanoTime();
        BASE_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private EpochClock() {
    }

    static long nanos() {
        return BASE_EPOCH_NANOS + (System.nanoTime() - BASE_NANO_TIME);
    }
}
