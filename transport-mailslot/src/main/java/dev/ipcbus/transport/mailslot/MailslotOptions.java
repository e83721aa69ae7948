// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot;

import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.mailslot.core.MailslotSizing;

/**
 * The options of a {@code mailslot://} URI.
 * <ul>
 *   <li>{@value #MAX_FRAME}: the largest frame (one datagram), header included, e.g. {@code maxFrame=256KiB}.
 *   Default {@value MailslotSizing#DEFAULT_MAX_FRAME_LENGTH} bytes; at least
 *   {@value MailslotSizing#MIN_MAX_FRAME_LENGTH}; at most 4 MiB on Linux (and no more than the kernel's
 *   {@code net.core.wmem_max} allows) and 64 KiB on Windows. Every node of a bus must use the same value: a node
 *   drops (and counts) datagrams longer than its own.</li>
 * </ul>
 * <b>Thread safety:</b> immutable.
 */
public final class MailslotOptions {
    /** Option name: the largest frame. */
    public static final String MAX_FRAME = "maxFrame";

    private final long maxFrame;

    private MailslotOptions(final long maxFrame) {
        this.maxFrame = maxFrame;
    }

    /**
     * Reads the options this transport accepts.
     *
     * @param options the URI's options.
     * @return the values.
     * @throws dev.ipcbus.ConfigurationException if a value is malformed.
     */
    public static MailslotOptions from(final TransportOptions options) {
        return new MailslotOptions(options.size(MAX_FRAME, -1));
    }

    /**
     * @return the {@value #MAX_FRAME} option in bytes, or -1 if it was not given (the platform's default applies).
     */
    public long maxFrame() {
        return maxFrame;
    }
}
