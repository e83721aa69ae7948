// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * A bus URI, option, property or file is invalid: unknown scheme, unknown or malformed option, bad bus name.
 */
public class ConfigurationException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public ConfigurationException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public ConfigurationException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
