// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * No reply arrived within the request's timeout.
 */
public class RequestTimeoutException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public RequestTimeoutException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public RequestTimeoutException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
