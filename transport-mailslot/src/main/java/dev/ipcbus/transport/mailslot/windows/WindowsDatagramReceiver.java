// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.transport.mailslot.core.DatagramReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;

/**
 * A mailslot's server handle, read one message at a time into one direct buffer, one byte longer than the largest
 * frame, reused for every message.
 * <p>
 * Each {@link #receive()} first asks {@code GetMailslotInfo} for the next message's size. With a message waiting, the
 * read is sized to it (and returns at once); a message longer than the buffer is read into a buffer of its own size
 * and reported as oversize (this costs an allocation, only on that error path), because Windows refuses a short read
 * with {@code ERROR_INSUFFICIENT_BUFFER} and Wine silently truncates. With no message waiting, {@code ReadFile}
 * blocks up to the slot's read timeout ({@link #READ_TIMEOUT_MILLIS}) with the full buffer; a message that arrives
 * then and is too long fails that read and is sized on the next call.
 * <p>
 * {@link #wakeup()} sets the read timeout to 0 for later reads and writes a one-byte message to the slot to end a read
 * in progress; the read timeout bounds the wait if that write fails.
 * <p>
 * <b>Thread safety:</b> see {@link DatagramReceiver}.
 */
final class WindowsDatagramReceiver implements DatagramReceiver {
    /** How long one blocking read waits before the loop checks its closing flag again. */
    static final int READ_TIMEOUT_MILLIS = 250;

    private final Win32 win32;
    private final long handle;
    private final String name;
    private final int capacity;
    private final ByteBuffer direct;
    private final ByteBuf buffer;
    private final int[] nextSize = new int[1];
    private final int[] read = new int[1];
    private boolean woken;
    private boolean closed;

    WindowsDatagramReceiver(final Win32 win32, final long handle, final String name, final int capacity) {
        this.win32 = win32;
        this.handle = handle;
        this.name = name;
        this.capacity = capacity;
        this.direct = ByteBuffer.allocateDirect(capacity);
        this.buffer = Unpooled.wrappedBuffer(direct.duplicate());
    }

    @Override
    public ByteBuf buffer() {
        return buffer;
    }

    @Override
    public int receive() {
        Win32Exception.check(win32, win32.GetMailslotInfo(handle, null, nextSize, null, null), "GetMailslotInfo",
            "name=" + name);
        final int next = nextSize[0];
        final boolean ok;
        final int length;
        if (next < 0) {
            ok = win32.ReadFile(handle, direct, capacity, read);
            length = read[0];
        } else if (next > capacity) {
            ok = win32.ReadFile(handle, ByteBuffer.allocateDirect(next), next, read);
            length = next;
        } else {
            ok = win32.ReadFile(handle, direct, Math.max(next, 1), read);
            length = read[0];
        }
        if (ok) {
            return length;
        }
        final int code = win32.GetLastError();
        switch (code) {
            case ERROR_SEM_TIMEOUT:
            case ERROR_INSUFFICIENT_BUFFER:
                return NOTHING;
            case ERROR_BROKEN_PIPE:
                // Wine reports a zero-length message as a broken pipe and drops it.
                return 0;
            default:
                throw Win32Exception.of(win32, "ReadFile", code, "name=" + name);
        }
    }

    @Override
    public void wakeup() {
        synchronized (this) {
            if (woken || closed) {
                return;
            }
            woken = true;
            // a failure is harmless: the wake-up message or the read timeout still ends the wait
            win32.SetMailslotInfo(handle, 0);
        }
        final long writer = win32.CreateFileW(name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, null,
            OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL);
        if (writer != INVALID_HANDLE_VALUE) {
            // a failed write is harmless too: the read timeout ends the wait within READ_TIMEOUT_MILLIS
            win32.WriteFile(writer, ByteBuffer.allocateDirect(1), 1, new int[1], 0);
            win32.CloseHandle(writer);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Win32Exception.check(win32, win32.CloseHandle(handle), "CloseHandle", "name=" + name);
        } finally {
            buffer.release();
        }
    }
}
