// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.BusException;

/**
 * Thrown by {@link Transport#openOutlet(long, String)} when the inbox at an address is not there right now: never
 * created, already removed, or closed by a node that is shutting down. The transport does not retry; the core owns the
 * one "inbox gone but node alive" policy: it asks the registry whether the node is alive, skips a dead node, and
 * retries a live one for a bounded time (a live node whose inbox is missing is almost always being reclaimed or closed
 * by another process at this moment).
 * <p>
 * Any other {@link BusException} from {@code openOutlet} is a real failure and is reported as such.
 */
public class InboxUnavailableException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is missing, with {@code key=value} details (address, node).
     */
    public InboxUnavailableException(final String message) {
        super(message);
    }

    /**
     * @param message what is missing, with {@code key=value} details (address, node).
     * @param cause   the OS error that showed it.
     */
    public InboxUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
