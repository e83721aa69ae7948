// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

/**
 * One node's view of a transport: it opens the node's own {@link Inbox} and {@link Outlet}s to other nodes' inboxes,
 * and reclaims what a dead node left behind.
 * <p>
 * A frame is an opaque byte sequence of at most {@link #maxFrameLength()} bytes; the transport preserves its
 * boundaries (one frame in, one frame out) and the order of frames offered by one thread through one outlet.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface Transport extends AutoCloseable {
    /**
     * @return the URI scheme of this transport, e.g. {@code "pipe"}.
     */
    String scheme();

    /**
     * @return the largest frame, header included, that an outlet accepts, in bytes.
     */
    int maxFrameLength();

    /**
     * Names the URI option that raises the frame limit of this transport's inboxes, for the message that refuses a
     * frame too large for another node's inbox (e.g. {@code "maxFrameLength"}).
     *
     * @return the option, with how it maps to the limit if that is not direct; {@code null} if there is none.
     */
    default String frameLimitOption() {
        return null;
    }

    /**
     * Creates and opens the inbox of a node of this process. The transport starts delivering frames to
     * {@code listener} before this method returns, and counts them in {@link TransportContext#inboxCounters(long)}.
     *
     * @param nodeId   the owning node.
     * @param listener receives every frame written to the inbox.
     * @return the open inbox; its {@link Inbox#address()} is published in the registry.
     * @throws dev.ipcbus.BusException if the OS object cannot be created (name taken, permissions).
     */
    Inbox openInbox(long nodeId, FrameListener listener);

    /**
     * Opens an outlet that writes into another node's inbox (possibly one of this process, possibly the caller's own).
     *
     * @param nodeId  the target node.
     * @param address the target inbox's {@link Inbox#address()} as read from the registry.
     * @return the open outlet, owned by the caller.
     * @throws dev.ipcbus.BusException if the inbox cannot be reached; the core then checks the node's liveness.
     */
    Outlet openOutlet(long nodeId, String address);

    /**
     * Releases what a dead node left behind: shared memory, socket files. Called by whichever node noticed the death,
     * while holding that node's registry lock, so at most one caller at a time per node; must tolerate resources that
     * are already gone, or were never created.
     * <p>
     * A node can die before its address is registered (killed while its inbox was being created), so every resource a
     * transport creates for a node must be named from the bus (scheme, name, runtime directory) and the node id alone,
     * and this method must find them from those when {@code address} is {@code null}. It must never remove anything
     * that is not named as this transport names that node's resources, whatever {@code address} says. Also called by
     * a node whose own open failed, for itself.
     *
     * @param nodeId  the dead node.
     * @param address its inbox address as read from the registry, or {@code null} if the node died before it was
     *                listed (or its record is unreadable).
     */
    void reclaim(long nodeId, String address);

    /**
     * Closes every inbox and outlet still open and frees the transport's resources. Idempotent.
     */
    @Override
    void close();
}
