// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.transport.mailslot.core.DatagramSender;
import io.netty.buffer.ByteBuf;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.transport.mailslot.posix.LinuxSocketConstants.*;

/**
 * A datagram socket connected to one node's socket path. Connecting once resolves the path once, lets a long path be
 * reached through {@code /proc/self/fd}, makes a vanished peer show as {@code ECONNREFUSED} then {@code ENOTCONN},
 * and makes {@code poll(POLLOUT)} wait for room in that peer's queue.
 * <p>
 * Sends never block ({@code MSG_DONTWAIT}): a full peer queue (at most {@code net.unix.max_dgram_qlen} datagrams) or
 * a full send buffer gives {@code EAGAIN}, returned as {@link #WOULD_BLOCK} for the outlet to wait on.
 * <p>
 * <b>Thread safety:</b> see {@link DatagramSender}.
 */
final class PosixDatagramSender implements DatagramSender {
    private final int fd;
    private final Path path;

    PosixDatagramSender(final int fd, final Path path) {
        this.fd = fd;
        this.path = path;
    }

    @Override
    public int send(final ByteBuf frame) {
        final int length = frame.readableBytes();
        final long address = NativeScratch.address(frame);
        while (true) {
            final long sent = LibCSocketCalls.send(fd, address, length, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent == length) {
                return SENT;
            }
            if (sent >= 0) {
                // Datagram sockets send all or nothing; a short count would be a kernel bug.
                throw LibCSocketCalls.failure("send", 0, "path=" + path + ", length=" + length + ", sent=" + sent);
            }
            final int errno = (int)-sent;
            switch (errno) {
                case EINTR:
                    continue;
                case EAGAIN:
                case ENOBUFS:
                case ENOMEM:
                    return WOULD_BLOCK;
                case ECONNREFUSED:
                case ENOTCONN:
                case EPIPE:
                case ECONNRESET:
                case ENOENT:
                    return PEER_GONE;
                default:
                    throw LibCSocketCalls.failure("send", errno, "path=" + path + ", length=" + length);
            }
        }
    }

    @Override
    public void awaitWritable(final long timeoutNanos) {
        final int millis = (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        final int ready = LibCSocketCalls.pollWritable(fd, millis);
        if (ready < 0 && -ready != EINTR) {
            throw LibCSocketCalls.failure("poll", -ready, "path=" + path + ", fd=" + fd);
        }
    }

    @Override
    public void close() {
        LibCSocketCalls.close(fd);
    }
}
