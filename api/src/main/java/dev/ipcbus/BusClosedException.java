// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * The bus is closed: thrown by every use of a {@link Bus} after {@link Bus#close()} (publish, request, subscribe,
 * respond, nodes), and completes what was waiting when it closed (a pending request, a blocked publish).
 */
public class BusClosedException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public BusClosedException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public BusClosedException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
