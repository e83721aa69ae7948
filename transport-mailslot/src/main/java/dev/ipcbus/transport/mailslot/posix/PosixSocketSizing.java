// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

/**
 * How the POSIX layer sizes socket buffers for a largest frame, and how it derives the largest datagram from what the
 * kernel grants (Linux rules, checked on this kernel with a C probe):
 * <ul>
 *   <li>{@code setsockopt(SO_SNDBUF, v)} stores {@code 2 * min(v, net.core.wmem_max)}; {@code getsockopt} returns
 *   the stored value.</li>
 *   <li>A datagram longer than the stored send buffer minus {@value LinuxSocketConstants#SNDBUF_RESERVE} bytes fails
 *   with {@code EMSGSIZE}; independently, one datagram cannot exceed about 4 MiB + 64 KiB ({@code ENOBUFS}), hence
 *   {@link #MAX_FRAME_LENGTH}.</li>
 *   <li>Bytes in flight (sent, not yet read) count against the sender's send buffer, and the receiver's queue holds at
 *   most {@code net.unix.max_dgram_qlen} datagrams (10 here); either limit makes a non-blocking send fail with
 *   {@code EAGAIN}. Linux ignores {@code SO_RCVBUF} for {@code AF_UNIX} datagrams; it is set all the same, to the
 *   same size, for the systems that use it.</li>
 * </ul>
 * The request leaves room for {@link #FRAMES_IN_FLIGHT} largest frames in flight per outlet, and never asks for
 * less than the kernel's default.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class PosixSocketSizing {
    /** Largest frame this layer accepts: one datagram of up to 4 MiB (the kernel's ceiling is a little above). */
    static final int MAX_FRAME_LENGTH = 4 * 1024 * 1024;

    /** Largest frames that fit in one outlet's send buffer at once. */
    static final int FRAMES_IN_FLIGHT = 4;

    /** Per-datagram bookkeeping the kernel charges to the send buffer beyond the bytes ({@code skb} truesize). */
    static final int DATAGRAM_OVERHEAD = 1024;

    private PosixSocketSizing() {
    }

    /**
     * @param maxFrameLength the largest frame.
     * @param defaultBuffer  the buffer size the kernel gives a new socket ({@code getsockopt} on a fresh socket).
     * @return the value to pass to {@code setsockopt(SO_SNDBUF)} and {@code SO_RCVBUF}.
     */
    static int bufferRequest(final int maxFrameLength, final int defaultBuffer) {
        // The kernel doubles the request, so half of the wanted size is asked for.
        final long wanted = (long)FRAMES_IN_FLIGHT * (maxFrameLength + DATAGRAM_OVERHEAD) / 2;
        return (int)Math.min(Integer.MAX_VALUE / 2, Math.max(wanted, defaultBuffer / 2));
    }

    /**
     * @param grantedSendBuffer the send buffer {@code getsockopt(SO_SNDBUF)} reports after the request.
     * @return the largest datagram a socket with that send buffer can send.
     */
    static int largestDatagram(final int grantedSendBuffer) {
        return Math.min(MAX_FRAME_LENGTH, grantedSendBuffer - LinuxSocketConstants.SNDBUF_RESERVE);
    }
}
