// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

/**
 * A bridged call could not be made or answered: the bridge process died or was closed, or it refused the request
 * (an unknown function or malformed arguments, a test bed bug). Not a Win32 failure: those come back as values.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class Win32BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     * @param cause   the I/O failure, or {@code null}.
     */
    public Win32BridgeException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
