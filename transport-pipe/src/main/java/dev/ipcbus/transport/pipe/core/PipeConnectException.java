// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.InboxUnavailableException;

/**
 * A pipe inbox cannot take a connection right now, with the {@link dev.ipcbus.spi.Outlet} status it maps to:
 * {@link dev.ipcbus.spi.Outlet#PEER_GONE} (connection refused, no such socket or pipe) or
 * {@link dev.ipcbus.spi.Outlet#BACK_PRESSURED} (every pipe instance stayed busy until the deadline). Thrown from
 * {@link dev.ipcbus.spi.Transport#openOutlet}, it is the transport's "inbox unavailable" signal.
 */
public class PipeConnectException extends InboxUnavailableException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status  the outlet status this maps to.
     * @param message what failed, with {@code key=value} details.
     * @param cause   the OS failure, or {@code null}.
     */
    public PipeConnectException(final int status, final String message, final Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * @return {@link dev.ipcbus.spi.Outlet#PEER_GONE} or {@link dev.ipcbus.spi.Outlet#BACK_PRESSURED}.
     */
    public int status() {
        return status;
    }
}
