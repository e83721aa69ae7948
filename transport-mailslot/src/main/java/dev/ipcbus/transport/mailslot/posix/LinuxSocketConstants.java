// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

/**
 * Linux values of the socket constants and {@code errno} codes this layer uses, from {@code <sys/socket.h>},
 * {@code <asm-generic/socket.h>}, {@code <poll.h>} and {@code <asm-generic/errno.h>}. They are the same on x86_64
 * and aarch64; macOS and the BSDs differ (e.g. {@code SOL_SOCKET} is {@code 0xffff}, {@code MSG_DONTWAIT} is
 * {@code 0x80}), which is why {@link PosixMailslotPlatform#unavailabilityCause()} accepts Linux only.
 */
final class LinuxSocketConstants {
    /** Address family of Unix domain sockets. */
    static final int AF_UNIX = 1;
    /** Datagram socket type. */
    static final int SOCK_DGRAM = 2;
    /** Socket type flag: close the descriptor on {@code exec} (same value as {@code O_CLOEXEC}). */
    static final int SOCK_CLOEXEC = 0x80000;

    /** {@code setsockopt} level of the socket itself. */
    static final int SOL_SOCKET = 1;
    /** Send buffer size; Linux doubles the value set and caps it at {@code net.core.wmem_max}. */
    static final int SO_SNDBUF = 7;
    /** Receive buffer size; Linux doubles the value set and caps it at {@code net.core.rmem_max}. */
    static final int SO_RCVBUF = 8;
    /** Receive timeout, a {@code struct timeval} (64-bit seconds and microseconds on 64-bit Linux). */
    static final int SO_RCVTIMEO = 20;

    /** {@code send}/{@code recv} flag: do not block, fail with {@code EAGAIN}. */
    static final int MSG_DONTWAIT = 0x40;
    /** {@code recv} flag: return the datagram's real length even when it was truncated to the buffer. */
    static final int MSG_TRUNC = 0x20;
    /** {@code send} flag: no {@code SIGPIPE} when the peer has shut down. */
    static final int MSG_NOSIGNAL = 0x4000;

    /** {@code shutdown} both directions. */
    static final int SHUT_RDWR = 2;

    /** {@code poll} event: writing will not block. */
    static final short POLLOUT = 0x4;

    /** {@code open} flags: read only. */
    static final int O_RDONLY = 0;
    /** {@code open} flag: close on {@code exec}. */
    static final int O_CLOEXEC = 0x80000;

    /** No such file or directory. */
    static final int ENOENT = 2;
    /** Interrupted by a signal. */
    static final int EINTR = 4;
    /** Bad file descriptor. */
    static final int EBADF = 9;
    /** Try again: the operation would block ({@code EWOULDBLOCK} has the same value). */
    static final int EAGAIN = 11;
    /** Out of memory. */
    static final int ENOMEM = 12;
    /** Permission denied. */
    static final int EACCES = 13;
    /** Broken pipe: the peer shut down its receiving side. */
    static final int EPIPE = 32;
    /** Message too long for the socket's send buffer. */
    static final int EMSGSIZE = 90;
    /** Address already in use: the socket file exists. */
    static final int EADDRINUSE = 98;
    /** Connection reset by peer. */
    static final int ECONNRESET = 104;
    /** No buffer space available. */
    static final int ENOBUFS = 105;
    /** Not connected: a connected datagram socket whose peer closed, after the first {@code ECONNREFUSED}. */
    static final int ENOTCONN = 107;
    /** Connection refused: no socket is bound at the path any more, or its owner closed it. */
    static final int ECONNREFUSED = 111;

    /** Bytes of {@code sun_path} in {@code struct sockaddr_un}, the terminating NUL included. */
    static final int SUN_PATH_LENGTH = 108;

    /**
     * Bytes a datagram may not use of the sender's {@code SO_SNDBUF}: a datagram longer than the send buffer minus
     * this fails with {@code EMSGSIZE} ({@code unix_dgram_sendmsg}: {@code len > sk->sk_sndbuf - 32}).
     */
    static final int SNDBUF_RESERVE = 32;

    private LinuxSocketConstants() {
    }
}
