// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.file.Path;

/**
 * A client that is not the bus: an unconnected {@code AF_UNIX} datagram socket that {@code sendto}s whatever bytes a
 * test gives it, as anyone who can reach a socket file could.
 */
final class RawDatagramClient implements AutoCloseable {
    private final int fd;

    RawDatagramClient() {
        fd = LibCSocketCalls.socket();
        LibCSocketCalls.setIntOption(fd, LinuxSocketConstants.SOL_SOCKET, LinuxSocketConstants.SO_SNDBUF,
            1 << 20, "SO_SNDBUF");
    }

    /**
     * Sends one datagram, blocking while the receiver is full.
     *
     * @return bytes sent.
     */
    long sendTo(final Path path, final byte[] bytes) {
        final Memory memory = new Memory(Math.max(1, bytes.length));
        try {
            memory.write(0, bytes, 0, bytes.length);
            final SockaddrUn address = new SockaddrUn(path.toString());
            final long sent = LibCSocket.sendto(fd, Pointer.nativeValue(memory), bytes.length, 0, address,
                address.length());
            if (sent < 0) {
                throw LibCSocketCalls.failure("sendto", Native.getLastError(), "path=" + path);
            }
            return sent;
        } finally {
            memory.close();
        }
    }

    @Override
    public void close() {
        LibCSocketCalls.close(fd);
    }
}
