// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ipcbus.BusException;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.transport.mailslot.core.DatagramReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ipcbus.transport.mailslot.posix.LinuxSocketConstants.*;

/**
 * A bound {@code AF_UNIX} datagram socket read with blocking {@code recv(MSG_TRUNC)} into one native buffer, one
 * byte longer than the largest frame, that is reused for every datagram.
 * <p>
 * {@link #wakeup()} shuts the socket down, which makes a blocked {@code recv} return 0 at once (checked on Linux 6),
 * and removes the socket file;
 * {@code SO_RCVTIMEO} ({@link #RECEIVE_TIMEOUT_MILLIS}) is a safety net that bounds the wait if a wake-up were ever
 * missed. The descriptor is closed only by {@link #close()}, on the receive thread, after its last {@code recv}, so a
 * descriptor number is never reused under a thread still reading it.
 * <p>
 * <b>Thread safety:</b> see {@link DatagramReceiver}.
 */
final class PosixDatagramReceiver implements DatagramReceiver {
    /** Longest time one {@code recv} blocks before the loop looks at its closing flag again. */
    static final long RECEIVE_TIMEOUT_MILLIS = 500;

    private final int fd;
    private final Path path;
    private final Memory memory;
    private final long address;
    private final int capacity;
    private final ByteBuf buffer;
    private boolean shutDown;
    private boolean closed;

    PosixDatagramReceiver(final int fd, final Path path, final int capacity) {
        this.fd = fd;
        this.path = path;
        this.capacity = capacity;
        this.memory = new Memory(capacity);
        this.address = Pointer.nativeValue(memory);
        // A wrapped buffer: not pooled, not leak-tracked, never frees the Memory (released in close()).
        this.buffer = Unpooled.wrappedBuffer(memory.getByteBuffer(0, capacity));
    }

    @Override
    public ByteBuf buffer() {
        return buffer;
    }

    @Override
    public int receive() {
        final long length = LibCSocketCalls.recv(fd, address, capacity, MSG_TRUNC);
        if (length >= 0) {
            return (int)Math.min(length, Integer.MAX_VALUE);
        }
        final int errno = (int)-length;
        if (errno == EAGAIN || errno == EINTR) {
            return NOTHING;
        }
        throw LibCSocketCalls.failure("recv", errno, "path=" + path + ", fd=" + fd);
    }

    /**
     * Shuts the socket down and removes its file at once: senders see {@code EPIPE} or {@code ENOENT} from now on,
     * and the file is gone even if the receive thread is still busy in a listener.
     */
    @Override
    public void wakeup() {
        synchronized (this) {
            if (shutDown || closed) {
                return;
            }
            shutDown = true;
            LibCSocketCalls.shutdown(fd);
        }
        try {
            Files.deleteIfExists(path);
        } catch (final IOException ignored) {
            // close() tries again and reports.
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
        RuntimeException failure = null;
        try {
            LibCSocketCalls.close(fd);
        } catch (final NativeCallException ex) {
            failure = ex;
        }
        try {
            Files.deleteIfExists(path);
        } catch (final IOException ex) {
            final BusException unlink = new BusException("cannot remove socket file: path=" + path, ex);
            if (failure == null) {
                failure = unlink;
            } else {
                failure.addSuppressed(unlink);
            }
        }
        buffer.release();
        memory.close();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * @return the bound socket's path.
     */
    Path path() {
        return path;
    }
}
