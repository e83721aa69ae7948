// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * A live subscription or responder registration. Closing it removes it from the registry before {@code close}
 * returns; messages already queued for an executor may still run.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; {@link #close()} is idempotent.
 */
public interface Subscription extends AutoCloseable {
    /**
     * @return the topic pattern (for a subscription) or topic (for a responder).
     */
    String pattern();

    /**
     * Unsubscribes. Idempotent.
     */
    @Override
    void close();
}
