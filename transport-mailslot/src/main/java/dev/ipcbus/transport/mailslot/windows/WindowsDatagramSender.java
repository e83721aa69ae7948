package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.NativeCallException;
import dev.ipcbus.transport.mailslot.core.DatagramSender;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ipcbus.transport.mailslot.windows.Win32MailslotApi.*;

/**
 * A writer handle to one node's mailslot: one {@code WriteFile} per frame.
 * <p>
 * A local mailslot write does not wait for the reader: the message is queued in kernel memory or the call fails. A
 * reader that stops reading therefore makes its queue grow until the kernel refuses (documented failures:
 * {@code ERROR_NOT_ENOUGH_QUOTA}, {@code ERROR_NO_SYSTEM_RESOURCES}, {@code ERROR_NOT_ENOUGH_MEMORY}); those are
 * returned as {@link #WOULD_BLOCK}, so the outlet retries until its timeout and then reports backpressure. A slot that
 * no longer exists ({@code ERROR_FILE_NOT_FOUND}, {@code ERROR_BROKEN_PIPE}) is {@link #PEER_GONE}.
 * <p>
 * <b>Thread safety:</b> see {@link DatagramSender}.
 */
final class WindowsDatagramSender implements DatagramSender {
    /** Pause between two writes while the kernel refuses: Windows offers no readiness wait for mailslots. */
    static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Win32MailslotApi api;
    private final long handle;
    private final String name;

    WindowsDatagramSender(final Win32MailslotApi api, final long handle, final String name) {
        this.api = api;
        this.handle = handle;
        this.name = name;
    }

    @Override
    public int send(final ByteBuf frame) {
        final int length = frame.readableBytes();
        try {
            final int written = api.WriteFile(handle, frame.nioBuffer(frame.readerIndex(), length), length);
            if (written != length) {
                throw new NativeCallException("WriteFile", 0, "short write", "name=" + name + ", length=" + length
                    + ", written=" + written);
            }
            return SENT;
        } catch (final NativeCallException ex) {
            switch (ex.code()) {
                case ERROR_NOT_ENOUGH_QUOTA:
                case ERROR_NO_SYSTEM_RESOURCES:
                case ERROR_NOT_ENOUGH_MEMORY:
                    return WOULD_BLOCK;
                case ERROR_FILE_NOT_FOUND:
                case ERROR_BROKEN_PIPE:
                    return PEER_GONE;
                default:
                    throw ex;
            }
        }
    }

    @Override
    public void awaitWritable(final long timeoutNanos) {
        LockSupport.parkNanos(Math.min(timeoutNanos, RETRY_PAUSE_NANOS));
    }

    @Override
    public void close() {
        api.CloseHandle(handle);
    }
}
