// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import io.netty.buffer.ByteBuf;

/**
 * The writing end to one node's slot, as an OS layer provides it: a datagram socket connected to the target's path
 * on POSIX, a handle opened with {@code CreateFile} on Windows. {@link MailslotOutlet} adds the waiting, the liveness
 * checks and the close protocol.
 * <p>
 * <b>Thread safety:</b> {@link #send(ByteBuf)} and {@link #awaitWritable(long)} are safe for concurrent use;
 * {@link #close()} is called once, when no thread is inside the other two.
 */
public interface DatagramSender {
    /** The datagram was written whole. Same value as {@link dev.ipcbus.spi.Outlet#SENT}. */
    int SENT = 0;

    /** The target's queue is full; nothing was written. */
    int WOULD_BLOCK = 1;

    /** The target slot is gone; nothing was written. Same value as {@link dev.ipcbus.spi.Outlet#PEER_GONE}. */
    int PEER_GONE = -2;

    /**
     * Writes one datagram without blocking.
     * <p>
     * <b>Ownership:</b> borrows {@code frame}; its indexes are left unchanged.
     *
     * @param frame the readable bytes to write as one datagram, at most the transport's maximum frame length.
     * @return {@link #SENT}, {@link #WOULD_BLOCK} or {@link #PEER_GONE}.
     * @throws dev.ipcbus.NativeCallException if the OS call fails in a way that is neither of those.
     */
    int send(ByteBuf frame);

    /**
     * Waits until the target may have room, or {@code timeoutNanos} pass; may return early.
     *
     * @param timeoutNanos the longest wait.
     */
    void awaitWritable(long timeoutNanos);

    /**
     * Releases the OS object.
     */
    void close();
}
