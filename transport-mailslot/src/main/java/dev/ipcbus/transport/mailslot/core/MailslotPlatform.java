// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

/**
 * What an OS layer provides to {@link MailslotTransport}: slots named per node, readers and writers for them, and the
 * clean-up of a dead node's slot.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface MailslotPlatform {
    /**
     * @return a short name of the OS layer for messages, e.g. {@code "posix"}.
     */
    String name();

    /**
     * @return the largest frame, in bytes, this platform carries as one datagram with the configured sizes.
     */
    int maxFrameLength();

    /**
     * @param nodeId a node of this bus.
     * @return the address of that node's slot (a socket path, a mailslot name), the same in every process.
     */
    String inboxAddress(long nodeId);

    /**
     * Creates the slot of a node of this process and opens it for reading.
     *
     * @param nodeId  the owning node.
     * @param address {@link #inboxAddress(long)} of that node.
     * @return the reader; its buffer holds a frame of {@link #maxFrameLength()} bytes and one byte more.
     * @throws dev.ipcbus.BusException if the slot cannot be created (name taken, path too long, permissions).
     */
    DatagramReceiver openReceiver(long nodeId, String address);

    /**
     * Opens a writer to a node's slot, possibly one of another process.
     *
     * @param nodeId  the target node.
     * @param address the target slot's address, as published in the registry.
     * @return the writer.
     * @throws dev.ipcbus.BusException if the slot does not exist or cannot be opened.
     */
    DatagramSender openSender(long nodeId, String address);

    /**
     * Removes what a dead node's slot left behind (a socket file), found from the node id ({@link #inboxAddress});
     * tolerates a slot that is already gone or was never created.
     *
     * @param nodeId  the dead node.
     * @param address its slot's address from the registry, or {@code null} if the node died before it was listed.
     */
    void reclaim(long nodeId, String address);
}
