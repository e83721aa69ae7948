// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Raw bindings to the C library's socket calls, by JNA direct mapping: static natives registered when this class
 * initializes, so nothing loads before the POSIX layer is used, and calls with primitive arguments allocate nothing.
 * <p>
 * Names and parameters are POSIX's. Buffers are passed as native addresses ({@code long}, the width of a pointer on
 * the 64-bit platforms this layer accepts); {@code size_t} and {@code ssize_t} are {@code long} for the same reason.
 * On failure a call returns -1 and JNA keeps {@code errno}, which {@link com.sun.jna.Native#getLastError()} reads
 * when called right after, on the same thread. Use {@link LibCSocketCalls}, not this class.
 */
final class LibCSocket {
    static {
        Native.register(LibCSocket.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibCSocket() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int sockfd, SockaddrUn addr, int addrlen);

    static native int connect(int sockfd, SockaddrUn addr, int addrlen);

    static native long send(int sockfd, long buf, long len, int flags);

    static native long sendto(int sockfd, long buf, long len, int flags, SockaddrUn destAddr, int addrlen);

    static native long recv(int sockfd, long buf, long len, int flags);

    static native int setsockopt(int sockfd, int level, int optname, int[] optval, int optlen);

    static native int setsockopt(int sockfd, int level, int optname, long[] optval, int optlen);

    static native int getsockopt(int sockfd, int level, int optname, int[] optval, int[] optlen);

    static native int poll(PollFd fds, long nfds, int timeout);

    static native int shutdown(int sockfd, int how);

    static native int close(int fd);

    static native int open(String pathname, int flags);

    static native String strerror(int errnum);
}
