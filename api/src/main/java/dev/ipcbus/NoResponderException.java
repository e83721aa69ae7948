// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * No live node responds to the request's topic; raised at once, not after the timeout.
 */
public class NoResponderException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public NoResponderException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public NoResponderException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
