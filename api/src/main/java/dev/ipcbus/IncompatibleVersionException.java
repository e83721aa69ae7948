// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * A frame or shared structure carries a major version this build does not speak.
 */
public class IncompatibleVersionException extends FrameFormatException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public IncompatibleVersionException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public IncompatibleVersionException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
