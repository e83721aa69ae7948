// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.transport.mailslot.core.DatagramSender;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ipcbus.platform.windows.WinError.*;

/**
 * A writer handle to one node's mailslot: one {@code WriteFile} per frame.
 * <p>
 * A local mailslot write does not wait for the reader: the message is queued in kernel memory or the call fails. A
 * reader that stops reading therefore makes its queue grow until the kernel refuses (documented failures:
 * {@code ERROR_NOT_ENOUGH_QUOTA}, {@code ERROR_NO_SYSTEM_RESOURCES}, {@code ERROR_NOT_ENOUGH_MEMORY}); those are
 * returned as {@link #WOULD_BLOCK}, so the outlet retries until its timeout and then reports backpressure. A slot that
 * no longer exists ({@code ERROR_FILE_NOT_FOUND}, {@code ERROR_BROKEN_PIPE}) is {@link #PEER_GONE}. Any other
 * failure, including a code not listed here, is a {@link Win32Exception}: never taken for success.
 * <p>
 * <b>Thread safety:</b> see {@link DatagramSender}.
 */
final class WindowsDatagramSender implements DatagramSender {
    /** Pause between two writes while the kernel refuses: Windows offers no readiness wait for mailslots. */
    static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Win32 win32;
    private final long handle;
    private final String name;
    private final int[] written = new int[1];

    WindowsDatagramSender(final Win32 win32, final long handle, final String name) {
        this.win32 = win32;
        this.handle = handle;
        this.name = name;
    }

    @Override
    public int send(final ByteBuf frame) {
        final int length = frame.readableBytes();
        ByteBuffer bytes = frame.nioBuffer(frame.readerIndex(), length);
        if (!bytes.isDirect()) {
            bytes = ByteBuffer.allocateDirect(length).put(bytes).flip();
        }
        written[0] = 0;
        if (win32.WriteFile(handle, bytes, length, written, 0)) {
            if (written[0] != length) {
                throw new Win32Exception("WriteFile", 0, "short write", "name=" + name + ", length=" + length
                    + ", written=" + written[0]);
            }
            return SENT;
        }
        final int code = win32.GetLastError();
        switch (code) {
            case ERROR_NOT_ENOUGH_QUOTA:
            case ERROR_NO_SYSTEM_RESOURCES:
            case ERROR_NOT_ENOUGH_MEMORY:
                return WOULD_BLOCK;
            case ERROR_FILE_NOT_FOUND:
            case ERROR_BROKEN_PIPE:
                return PEER_GONE;
            default:
                throw Win32Exception.of(win32, "WriteFile", code, "name=" + name + ", length=" + length);
        }
    }

    @Override
    public void awaitWritable(final long timeoutNanos) {
        LockSupport.parkNanos(Math.min(timeoutNanos, RETRY_PAUSE_NANOS));
    }

    @Override
    public void close() {
        Win32Exception.check(win32, win32.CloseHandle(handle), "CloseHandle", "name=" + name);
    }
}
