// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

/**
 * What a {@link PipeConnection} asks, every {@link PipeConnection#WAIT_SLICE_NANOS} at most, while it waits for
 * space: whether to keep waiting. {@link PipeOutlet} answers from its closed flag and the target's liveness.
 * <p>
 * <b>Thread safety:</b> called on the offering thread only.
 */
@FunctionalInterface
public interface WaitCheck {
    /** Keep waiting. */
    int CONTINUE = 0;

    /**
     * @return {@link #CONTINUE}, {@link dev.ipcbus.spi.Outlet#CLOSED} or {@link dev.ipcbus.spi.Outlet#PEER_GONE}.
     */
    int check();
}
