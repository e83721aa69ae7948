package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.NativeCallException;

/**
 * Checked wrappers over {@link Win32FileMapApi}: a failed call becomes a {@link NativeCallException} carrying the
 * function name, {@code GetLastError()} and the system's text for it.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class Win32FileMapCalls {
    private final Win32FileMapApi api;

    Win32FileMapCalls(final Win32FileMapApi api) {
        this.api = api;
    }

    Win32FileMapApi api() {
        return api;
    }

    NativeCallException failure(final String function, final int code, final String context) {
        String text;
        try {
            text = api.FormatMessage(code);
        } catch (final RuntimeException | LinkageError ex) {
            text = "error " + code;
        }
        return new NativeCallException(function, code, text, context);
    }

    long mapView(final long mapping, final int length, final String name) {
        final Win32FileMapApi.Result view = api.MapViewOfFile(mapping, Win32FileMapApi.FILE_MAP_ALL_ACCESS, length);
        if (view.value == 0) {
            throw failure("MapViewOfFile", view.lastError, "name=" + name + ", length=" + length);
        }
        return view.value;
    }

    void setEvent(final long event, final String name) {
        final int error = api.SetEvent(event);
        if (error != 0) {
            throw failure("SetEvent", error, "name=" + name);
        }
    }

    void waitForSingleObject(final long handle, final int millis, final String name) {
        final int result = api.WaitForSingleObject(handle, millis);
        if (result == Win32FileMapApi.WAIT_FAILED) {
            throw failure("WaitForSingleObject", api.lastError(), "name=" + name);
        }
    }

    /**
     * Closes a handle, adding a failure to {@code failures} (created if null) instead of throwing.
     */
    NativeCallException closeHandle(final long handle, final String name, final NativeCallException failures) {
        if (handle == 0) {
            return failures;
        }
        final int error = api.CloseHandle(handle);
        if (error == 0) {
            return failures;
        }
        final NativeCallException failure = failure("CloseHandle", error, "name=" + name);
        if (failures == null) {
            return failure;
        }
        failures.addSuppressed(failure);
        return failures;
    }
}
