// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * An OS call failed. Thrown only by the {@code windows} and {@code posix} layers of a transport.
 * Carries the function name exactly as the OS documents it, the error code ({@code errno} or
 * {@code GetLastError()}) and the OS's text for it.
 */
public class NativeCallException extends BusException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int code;

    /**
     * @param function  the OS function, e.g. {@code "CreateNamedPipe"} or {@code "sendto"}.
     * @param code      {@code errno} or {@code GetLastError()}, read right after the call.
     * @param osMessage the OS's text for the code.
     * @param context   extra {@code key=value} details (name, path), may be empty.
     */
    public NativeCallException(final String function, final int code, final String osMessage, final String context) {
        super(function + " failed: error=" + code + " (" + osMessage + ")"
            + (context == null || context.isEmpty() ? "" : ", " + context));
        this.function = function;
        this.code = code;
    }

    /**
     * @return the OS function that failed.
     */
    public String function() {
        return function;
    }

    /**
     * @return {@code errno} or {@code GetLastError()} of the failed call.
     */
    public int code() {
        return code;
    }
}
