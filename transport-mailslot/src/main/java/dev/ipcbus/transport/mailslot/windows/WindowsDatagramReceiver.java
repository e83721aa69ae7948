package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.NativeCallException;
import dev.ipcbus.transport.mailslot.core.DatagramReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

import static dev.ipcbus.transport.mailslot.windows.Win32MailslotApi.*;

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

    private final Win32MailslotApi api;
    private final long handle;
    private final String name;
    private final int capacity;
    private final ByteBuffer direct;
    private final ByteBuf buffer;
    private final MailslotInfo info = new MailslotInfo();
    private boolean woken;
    private boolean closed;

    WindowsDatagramReceiver(final Win32MailslotApi api, final long handle, final String name, final int capacity) {
        this.api = api;
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
        api.GetMailslotInfo(handle, info);
        final int next = info.nextSize;
        try {
            if (next < 0) {
                return api.ReadFile(handle, direct, capacity);
            }
            if (next > capacity) {
                api.ReadFile(handle, ByteBuffer.allocateDirect(next), next);
                return next;
            }
            return api.ReadFile(handle, direct, Math.max(next, 1));
        } catch (final NativeCallException ex) {
            switch (ex.code()) {
                case ERROR_SEM_TIMEOUT:
                case ERROR_INSUFFICIENT_BUFFER:
                    return NOTHING;
                case ERROR_BROKEN_PIPE:
                    // Wine reports a zero-length message as a broken pipe and drops it.
                    return 0;
                default:
                    throw ex;
            }
        }
    }

    @Override
    public void wakeup() {
        synchronized (this) {
            if (woken || closed) {
                return;
            }
            woken = true;
            try {
                api.SetMailslotInfo(handle, 0);
            } catch (final NativeCallException ignored) {
                // The wake-up message or the read timeout still ends the wait.
            }
        }
        try {
            final long writer = api.CreateFile(name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL);
            try {
                api.WriteFile(writer, ByteBuffer.allocateDirect(1), 1);
            } finally {
                api.CloseHandle(writer);
            }
        } catch (final NativeCallException ignored) {
            // The read timeout ends the wait within READ_TIMEOUT_MILLIS.
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
            api.CloseHandle(handle);
        } finally {
            buffer.release();
        }
    }
}
