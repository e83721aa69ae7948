// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import dev.ipcbus.NativeCallException;

/**
 * A Win32 call failed: the function's export name, {@code GetLastError()} and the system's text for it
 * ({@code FormatMessageW}), plus {@code key=value} context. The static methods are the one checked-call helper of the
 * Windows layers: they read {@link Win32#GetLastError()} first thing, so call them directly on the result of the call
 * they check, e.g. {@code Win32Exception.check(win32, win32.SetEvent(h), "SetEvent", "name=" + name)}.
 * <p>
 * <b>Thread safety:</b> immutable; the helpers are safe for concurrent use.
 */
public final class Win32Exception extends NativeCallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param function  the Win32 export, e.g. {@code "CreateNamedPipeW"}.
     * @param code      its {@code GetLastError()}.
     * @param osMessage the system's text for the code.
     * @param context   {@code key=value} details, may be empty.
     */
    public Win32Exception(final String function, final int code, final String osMessage, final String context) {
        super(function, code, osMessage, context);
    }

    /**
     * The failure of a call whose code is known: the text comes from {@code FormatMessageW} (or {@code "error N"} if
     * that fails too).
     *
     * @param win32    where to ask for the text.
     * @param function the export.
     * @param code     the error.
     * @param context  {@code key=value} details.
     * @return the exception, to throw.
     */
    public static Win32Exception of(final Win32 win32, final String function, final int code, final String context) {
        return new Win32Exception(function, code, message(win32, code), context);
    }

    /**
     * The failure of this thread's previous call through {@code win32}: reads {@link Win32#GetLastError()} at once.
     *
     * @param win32    the interface the call went through.
     * @param function the export.
     * @param context  {@code key=value} details.
     * @return the exception, to throw.
     */
    public static Win32Exception lastError(final Win32 win32, final String function, final String context) {
        return of(win32, function, win32.GetLastError(), context);
    }

    /**
     * Checks a {@code BOOL} result.
     *
     * @param win32    the interface the call went through.
     * @param ok       what the call returned.
     * @param function the export.
     * @param context  {@code key=value} details.
     * @throws Win32Exception with {@code GetLastError()} if {@code ok} is {@code false}.
     */
    public static void check(final Win32 win32, final boolean ok, final String function, final String context) {
        if (!ok) {
            throw lastError(win32, function, context);
        }
    }

    /**
     * Checks a returned handle: 0 ({@code NULL}) and {@code INVALID_HANDLE_VALUE} are failures (each function uses
     * one of them; neither is ever a valid handle).
     *
     * @param win32    the interface the call went through.
     * @param handle   what the call returned.
     * @param function the export.
     * @param context  {@code key=value} details.
     * @return the handle.
     * @throws Win32Exception with {@code GetLastError()} if the call failed.
     */
    public static long checkHandle(final Win32 win32, final long handle, final String function, final String context) {
        if (handle == 0 || handle == Win32Constants.INVALID_HANDLE_VALUE) {
            throw lastError(win32, function, context);
        }
        return handle;
    }

    /**
     * Closes a handle without throwing: a failure is returned, or added as suppressed to {@code failures}.
     *
     * @param win32    the interface.
     * @param handle   the handle; 0 is skipped.
     * @param context  {@code key=value} details.
     * @param failures earlier failures, or {@code null}.
     * @return {@code failures}, or this failure if there were none, or {@code null}.
     */
    public static RuntimeException closeHandle(final Win32 win32, final long handle, final String context,
        final RuntimeException failures) {
        if (handle == 0 || win32.CloseHandle(handle)) {
            return failures;
        }
        final Win32Exception failure = lastError(win32, "CloseHandle", context);
        if (failures == null) {
            return failure;
        }
        failures.addSuppressed(failure);
        return failures;
    }

    /**
     * @param win32 where to ask.
     * @param code  an error code.
     * @return the system's text for it, trimmed, or {@code "error N"} if there is none.
     */
    public static String message(final Win32 win32, final int code) {
        try {
            final StringBuilder text = new StringBuilder();
            if (win32.FormatMessageW(code, text) > 0) {
                return text.toString().trim();
            }
        } catch (final RuntimeException | LinkageError ignore) {
            // the code alone still identifies the failure
        }
        return "error " + code;
    }
}
