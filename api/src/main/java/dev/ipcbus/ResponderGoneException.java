// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * The node handling a request died (its process exited or was killed) before it replied.
 */
public class ResponderGoneException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public ResponderGoneException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public ResponderGoneException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
