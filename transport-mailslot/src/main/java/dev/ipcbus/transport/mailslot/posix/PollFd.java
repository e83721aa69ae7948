// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Structure;

/**
 * {@code struct pollfd}: a 32-bit descriptor, 16-bit requested events, 16-bit returned events; 8 bytes.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to one thread (one instance per call).
 */
@Structure.FieldOrder({"fd", "events", "revents"})
public final class PollFd extends Structure {
    /** The descriptor to watch. */
    public int fd;
    /** Requested events, e.g. {@code POLLOUT}. */
    public short events;
    /** Events that occurred, set by {@code poll}. */
    public short revents;

    PollFd(final int fd, final short events) {
        this.fd = fd;
        this.events = events;
    }
}
