// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * Receives failures that happen on background threads, where no caller can catch them: a malformed frame from another
 * process, a message that does not deserialize into a subscriber's type, a handler that throws, an OS error while
 * receiving. The bus keeps running after each.
 * <p>
 * The default logs through SLF4J. A handler must not block; it is called on the thread that saw the failure.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param error the failure; its message names what failed and the topic or node involved.
     */
    void onError(Throwable error);
}
