// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ipcbus.transport.filemap.core.Doorbell;
import dev.ipcbus.transport.filemap.core.SharedRegion;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.DOORBELL_SEQ_OFFSET;

/**
 * The Linux doorbell: a futex on the segment's 32-bit doorbell sequence word, shared between processes (no
 * {@code FUTEX_PRIVATE_FLAG}: the kernel keys a shared futex on the page and offset, so it works across two
 * different mappings of the same file).
 * <p>
 * <b>Thread safety:</b> {@link #ring()} is safe for concurrent use; {@link #await} is for the single reader thread.
 */
public final class PosixFutexDoorbell implements Doorbell {
    private final long wordAddress;
    private final Memory timespec = new Memory(16);
    // Keeps the mapping reachable (and so mapped) for as long as this doorbell can touch its address.
    private final SharedRegion region;

    /**
     * @param region the mapped segment.
     */
    public PosixFutexDoorbell(final SharedRegion region) {
        this.region = region;
        final Pointer base = Native.getDirectBufferPointer(region.buffer());
        this.wordAddress = Pointer.nativeValue(base) + DOORBELL_SEQ_OFFSET;
    }

    @Override
    public void ring() {
        LibCSyscallCalls.futexWake(wordAddress, 1);
    }

    @Override
    public void await(final int expectedSequence, final long timeoutNanos) {
        synchronized (timespec) {
            LibCSyscallCalls.futexWait(wordAddress, expectedSequence, timeoutNanos, timespec);
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "PosixFutexDoorbell{address=0x" + Long.toHexString(wordAddress) + ", " + region + "}";
    }
}
