// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Constants;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.transport.filemap.core.Doorbell;
import dev.ipcbus.transport.filemap.core.SharedRegion;

import static dev.ipcbus.transport.filemap.core.SegmentDescriptor.DOORBELL_SEQ_OFFSET;

/**
 * The Windows doorbell: a named auto-reset event. {@code SetEvent} releases the one waiting reader, or leaves the
 * event signaled if it is not waiting yet, so a ring between the reader's re-check and its wait is not lost.
 * <p>
 * <b>Thread safety:</b> {@link #ring()} is safe for concurrent use; {@link #await} is for the single reader thread.
 */
public final class WindowsEventDoorbell implements Doorbell {
    private final Win32 win32;
    private final SharedRegion region;
    private final long event;
    private final String name;
    private volatile boolean closed;

    WindowsEventDoorbell(final Win32 win32, final SharedRegion region, final long event, final String name) {
        this.win32 = win32;
        this.region = region;
        this.event = event;
        this.name = name;
    }

    @Override
    public void ring() {
        if (!closed) {
            Win32Exception.check(win32, win32.SetEvent(event), "SetEvent", "name=" + name);
        }
    }

    @Override
    public void await(final int expectedSequence, final long timeoutNanos) {
        if (closed || region.getIntVolatile(DOORBELL_SEQ_OFFSET) != expectedSequence) {
            return;
        }
        final long millis = Math.max(1, Math.min(Integer.MAX_VALUE - 1, (timeoutNanos + 999_999) / 1_000_000));
        if (win32.WaitForSingleObject(event, (int) millis) == Win32Constants.WAIT_FAILED) {
            throw Win32Exception.lastError(win32, "WaitForSingleObject", "name=" + name);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final RuntimeException failure = Win32Exception.closeHandle(win32, event, "name=" + name, null);
        if (failure != null) {
            throw failure;
        }
    }
}
