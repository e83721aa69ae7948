// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * The root of every exception ipcbus throws. Unchecked, so application code catches only what it can handle.
 * <p>
 * Messages read {@code what failed: key=value, key=value}.
 */
public class BusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public BusException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public BusException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
