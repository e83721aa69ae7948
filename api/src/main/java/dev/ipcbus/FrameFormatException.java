// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * Bytes received from another process are not a valid frame: wrong magic, bad length, truncated field. The
 * receiving node counts and logs it, then keeps running.
 */
public class FrameFormatException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public FrameFormatException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public FrameFormatException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
