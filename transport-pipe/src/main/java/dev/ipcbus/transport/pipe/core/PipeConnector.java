// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

/**
 * Opens a {@link PipeConnection} to one inbox address; implemented by each OS layer.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
@FunctionalInterface
public interface PipeConnector {
    /**
     * Connects and sends the {@link PipeHelloDescriptor hello}.
     *
     * @param deadlineNanos when to give up ({@link System#nanoTime()} based) if the inbox is busy.
     * @return the open connection.
     * @throws PipeConnectException     if the inbox is gone (refused, no such name) or stayed busy past the deadline.
     * @throws dev.ipcbus.BusException if the OS refused for another reason (permissions, resources).
     */
    PipeConnection connect(long deadlineNanos);
}
