// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * The chosen transport cannot run here: unsupported OS, native library missing, or its probe failed (the cause says
 * why).
 */
public class TransportUnavailableException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public TransportUnavailableException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public TransportUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
