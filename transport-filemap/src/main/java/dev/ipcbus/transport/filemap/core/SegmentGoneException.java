// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.core;

import dev.ipcbus.spi.InboxUnavailableException;

/**
 * The segment an address names does not exist (any more): its node closed its inbox, died and was reclaimed, or has
 * not created it yet.
 */
public class SegmentGoneException extends InboxUnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with {@code key=value} details.
     */
    public SegmentGoneException(final String message) {
        super(message);
    }

    /**
     * @param message what failed, with {@code key=value} details.
     * @param cause   the underlying failure.
     */
    public SegmentGoneException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
