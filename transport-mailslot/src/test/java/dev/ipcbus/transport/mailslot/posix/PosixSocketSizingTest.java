// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PosixSocketSizingTest {
    @Test
    void shouldAskForHalfOfFourFramesInFlightButNeverLessThanTheDefault() {
        // Linux doubles the request: 4 * (64 KiB + 1 KiB) / 2.
        assertEquals(133120, PosixSocketSizing.bufferRequest(65536, 212992));
        assertEquals(106496, PosixSocketSizing.bufferRequest(1024, 212992), "default kept for small frames");
        assertEquals(4 * ((4 << 20) + 1024) / 2, PosixSocketSizing.bufferRequest(4 << 20, 212992));
    }

    @Test
    void shouldDeriveTheLargestDatagramFromTheGrantedSendBuffer() {
        assertEquals(212960, PosixSocketSizing.largestDatagram(212992), "measured: sndbuf - 32");
        assertEquals(PosixSocketSizing.MAX_FRAME_LENGTH, PosixSocketSizing.largestDatagram(8 << 20));
    }
}
