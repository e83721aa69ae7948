// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import io.netty.buffer.ByteBuf;

/**
 * The reading end of one node's slot, as an OS layer provides it: a bound datagram socket on POSIX, a mailslot
 * handle on Windows.
 * <p>
 * <b>Thread safety:</b> {@link #receive()}, {@link #buffer()} and {@link #close()} are called by the one receive
 * thread only; {@link #wakeup()} may be called from any thread.
 */
public interface DatagramReceiver {
    /**
     * {@link #receive()} returned without a datagram (read timeout, signal, or woken by {@link #wakeup()}); the
     * caller checks whether it is closing and calls again.
     */
    int NOTHING = -1;

    /**
     * @return the buffer datagrams are read into, reused for every datagram; its capacity is at least
     * {@link MailslotSizing#receiveBufferLength(int)} of the transport's maximum frame length.
     */
    ByteBuf buffer();

    /**
     * Waits for the next datagram and reads it into {@link #buffer()} at index 0.
     *
     * @return the datagram's length in bytes (0 for an empty datagram; more than the buffer's capacity, or equal to
     * it, when the datagram did not fit and was truncated), or {@link #NOTHING}.
     * @throws dev.ipcbus.NativeCallException if the OS call fails.
     */
    int receive();

    /**
     * Makes a {@link #receive()} blocked in another thread return soon, and every later one return at once. Used
     * while closing; idempotent.
     */
    void wakeup();

    /**
     * Frees the OS object (and its name: socket file, mailslot name) and the buffer. Called once, by the receive
     * thread, after its last {@link #receive()}.
     */
    void close();
}
