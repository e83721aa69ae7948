// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * Jackson failed to serialize or deserialize a message; the Jackson exception is the cause.
 */
public class CodecException extends BusException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public CodecException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public CodecException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
