// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading {@code /proc/locks}: only a held {@code FLOCK} entry on the file's device and inode counts.
 */
class FlockProbeTest {
    /** Device 0:47 (as Linux encodes st_dev for major 0, minor 0x2f) and inode 1234. */
    private static final long DEVICE = 0x2f;
    private static final long INODE = 1234;

    @Test
    void shouldFindAHeldFlockOnTheFile() {
        assertTrue(FlockProbe.isFlocked(List.of(
            "1: POSIX  ADVISORY  WRITE 99 00:2f:1234 0 EOF",
            "2: FLOCK  ADVISORY  WRITE 4242 00:2f:1234 0 EOF"), DEVICE, INODE));
    }

    @Test
    void shouldIgnoreFcntlLocksWaitersAndOtherFiles() {
        assertFalse(FlockProbe.isFlocked(List.of(
            "1: POSIX  ADVISORY  WRITE 99 00:2f:1234 0 EOF",
            "2: OFDLCK ADVISORY  WRITE -1 00:2f:1234 0 EOF",
            "3: -> FLOCK  ADVISORY  WRITE 4243 00:2f:1234 0 EOF",
            "4: FLOCK  ADVISORY  WRITE 4242 00:2f:1235 0 EOF",
            "5: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF",
            "garbage"), DEVICE, INODE));
    }

    @Test
    void shouldDecodeLargeDeviceNumbers() {
        // major 259, minor 3 (an NVMe partition): st_dev = (259 << 8) | 3 in the old encoding
        assertTrue(FlockProbe.isFlocked(List.of("1: FLOCK  ADVISORY  WRITE 1 103:03:77 0 EOF"), (259L << 8) | 3,
            77));
    }
}
