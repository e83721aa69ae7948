// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Native;
import dev.ipcbus.NativeCallException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.ipcbus.transport.mailslot.posix.LinuxSocketConstants.*;

/**
 * Checked wrappers over {@link LibCSocket}: each reads {@code errno} right after its call and either throws
 * {@link NativeCallException} naming the function, the errno, the OS text and the path or descriptor, or (for the
 * calls on the hot path, whose failures are expected outcomes) returns {@code -errno} for the caller to map.
 * <p>
 * <b>Long paths:</b> {@code sun_path} holds 107 bytes and a NUL. A socket path that does not fit is reached through
 * its directory instead: the directory is opened and the call uses {@code /proc/self/fd/<dirfd>/<file name>}, which
 * the kernel resolves to the same file (Linux only, like the rest of this layer). If even that does not fit, or
 * {@code /proc} is not mounted, the call fails with a message naming the limit.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
final class LibCSocketCalls {
    private LibCSocketCalls() {
    }

    /**
     * @return a new {@code AF_UNIX}, {@code SOCK_DGRAM} socket, close-on-exec.
     * @throws NativeCallException if {@code socket} fails.
     */
    static int socket() {
        final int fd = LibCSocket.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", Native.getLastError(), "domain=AF_UNIX, type=SOCK_DGRAM");
        }
        return fd;
    }

    /**
     * Binds a socket at a path, creating the socket file.
     *
     * @param fd   the socket.
     * @param path the path; its parent must exist.
     * @throws NativeCallException if {@code bind} fails ({@code EADDRINUSE} if the file exists).
     */
    static void bind(final int fd, final Path path) {
        final int errno = withAddress(path, "bind", address -> LibCSocket.bind(fd, address, address.length()));
        if (errno != 0) {
            throw failure("bind", errno, "path=" + path + (fitsSunPath(path) ? ""
                : ", note=path longer than " + (SUN_PATH_LENGTH - 1) + " bytes, bound through /proc/self/fd"));
        }
    }

    /**
     * Connects a datagram socket to the socket bound at a path: later {@link #send} calls go there.
     *
     * @param fd   the socket.
     * @param path the peer's path.
     * @return 0, or {@code -errno} ({@code -ENOENT}: no such file; {@code -ECONNREFUSED}: nobody bound there).
     */
    static int connect(final int fd, final Path path) {
        return -withAddress(path, "connect", address -> LibCSocket.connect(fd, address, address.length()));
    }

    /**
     * Sends one datagram on a connected socket.
     *
     * @param fd      the socket.
     * @param address native address of the bytes.
     * @param length  number of bytes.
     * @param flags   e.g. {@code MSG_DONTWAIT}.
     * @return bytes sent, or {@code -errno}.
     */
    static long send(final int fd, final long address, final long length, final int flags) {
        final long sent = LibCSocket.send(fd, address, length, flags);
        return sent >= 0 ? sent : -Native.getLastError();
    }

    /**
     * Receives one datagram.
     *
     * @param fd      the socket.
     * @param address native address of the buffer.
     * @param length  the buffer's length.
     * @param flags   e.g. {@code MSG_TRUNC}.
     * @return the datagram's length (its real length with {@code MSG_TRUNC}, even if longer than the buffer), or
     * {@code -errno}.
     */
    static long recv(final int fd, final long address, final long length, final int flags) {
        final long received = LibCSocket.recv(fd, address, length, flags);
        return received >= 0 ? received : -Native.getLastError();
    }

    /**
     * Sets an {@code int} socket option.
     *
     * @param fd      the socket.
     * @param level   e.g. {@code SOL_SOCKET}.
     * @param option  e.g. {@code SO_SNDBUF}.
     * @param value   the value.
     * @param name    the option's name, for the message.
     * @throws NativeCallException if {@code setsockopt} fails.
     */
    static void setIntOption(final int fd, final int level, final int option, final int value, final String name) {
        if (LibCSocket.setsockopt(fd, level, option, new int[] {value}, Integer.BYTES) != 0) {
            throw failure("setsockopt", Native.getLastError(), "option=" + name + ", value=" + value + ", fd=" + fd);
        }
    }

    /**
     * Reads an {@code int} socket option.
     *
     * @param fd     the socket.
     * @param level  e.g. {@code SOL_SOCKET}.
     * @param option e.g. {@code SO_SNDBUF}.
     * @param name   the option's name, for the message.
     * @return the value.
     * @throws NativeCallException if {@code getsockopt} fails.
     */
    static int getIntOption(final int fd, final int level, final int option, final String name) {
        final int[] value = new int[1];
        final int[] length = {Integer.BYTES};
        if (LibCSocket.getsockopt(fd, level, option, value, length) != 0) {
            throw failure("getsockopt", Native.getLastError(), "option=" + name + ", fd=" + fd);
        }
        return value[0];
    }

    /**
     * Sets {@code SO_RCVTIMEO}: a blocked {@code recv} fails with {@code EAGAIN} after this long.
     *
     * @param fd     the socket.
     * @param millis the timeout, positive.
     * @throws NativeCallException if {@code setsockopt} fails.
     */
    static void setReceiveTimeout(final int fd, final long millis) {
        // struct timeval on 64-bit Linux: 64-bit tv_sec, 64-bit tv_usec.
        final long[] timeval = {millis / 1000, (millis % 1000) * 1000};
        if (LibCSocket.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 2 * Long.BYTES) != 0) {
            throw failure("setsockopt", Native.getLastError(), "option=SO_RCVTIMEO, millis=" + millis + ", fd=" + fd);
        }
    }

    /**
     * Waits until a socket is writable.
     *
     * @param fd     the socket.
     * @param millis the longest wait.
     * @return the number of ready descriptors (0 on timeout), or {@code -errno}.
     */
    static int pollWritable(final int fd, final int millis) {
        final PollFd pollFd = new PollFd(fd, POLLOUT);
        final int ready = LibCSocket.poll(pollFd, 1, millis);
        return ready >= 0 ? ready : -Native.getLastError();
    }

    /**
     * Shuts a socket down both ways: a {@code recv} blocked on it returns 0, senders get {@code EPIPE}.
     *
     * @param fd the socket.
     * @return 0 or {@code -errno}.
     */
    static int shutdown(final int fd) {
        return LibCSocket.shutdown(fd, SHUT_RDWR) == 0 ? 0 : -Native.getLastError();
    }

    /**
     * Closes a descriptor.
     *
     * @param fd the descriptor.
     * @throws NativeCallException if {@code close} fails (the descriptor is released all the same on Linux).
     */
    static void close(final int fd) {
        if (LibCSocket.close(fd) != 0) {
            throw failure("close", Native.getLastError(), "fd=" + fd);
        }
    }

    /**
     * @param errno an error number.
     * @return the C library's text for it.
     */
    static String strerror(final int errno) {
        final String text = LibCSocket.strerror(errno);
        return text == null ? "errno " + errno : text;
    }

    /**
     * @param function the failed function.
     * @param errno    its errno.
     * @param context  {@code key=value} details.
     * @return the exception to throw.
     */
    static NativeCallException failure(final String function, final int errno, final String context) {
        return new NativeCallException(function, errno, strerror(errno), context);
    }

    /**
     * @param path a socket path.
     * @return {@code true} if it fits {@code sun_path} as it is.
     */
    static boolean fitsSunPath(final Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length < SUN_PATH_LENGTH;
    }

    /**
     * Calls {@code call} with an address for {@code path}, going through {@code /proc/self/fd} when the path is too
     * long for {@code sun_path}.
     *
     * @return 0 on success, else the errno.
     */
    private static int withAddress(final Path path, final String function, final AddressedCall call) {
        if (fitsSunPath(path)) {
            return call.call(new SockaddrUn(path.toString())) == 0 ? 0 : Native.getLastError();
        }
        final Path parent = path.toAbsolutePath().getParent();
        final Path fileName = path.getFileName();
        if (parent == null || fileName == null) {
            throw new IllegalArgumentException("bad socket path: path=" + path);
        }
        final int dirfd = LibCSocket.open(parent.toString(), O_RDONLY | O_CLOEXEC);
        if (dirfd < 0) {
            throw failure("open", Native.getLastError(), "path=" + parent + ", reason=socket path longer than "
                + (SUN_PATH_LENGTH - 1) + " bytes, reached through its directory");
        }
        try {
            final String shortPath = "/proc/self/fd/" + dirfd + "/" + fileName;
            if (shortPath.getBytes(StandardCharsets.UTF_8).length >= SUN_PATH_LENGTH) {
                throw new IllegalArgumentException("socket file name too long: path=" + path
                    + ", max=" + (SUN_PATH_LENGTH - 1) + " bytes for /proc/self/fd/<dirfd>/<name>");
            }
            return call.call(new SockaddrUn(shortPath)) == 0 ? 0 : Native.getLastError();
        } finally {
            LibCSocket.close(dirfd);
        }
    }

    /**
     * A call taking a socket address.
     */
    @FunctionalInterface
    private interface AddressedCall {
        int call(SockaddrUn address);
    }
}
