// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

/**
 * A node's receiving end: any node may write to it, only its owner reads it.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface Inbox extends AutoCloseable {
    /** {@link #maxFrameLength()} of an inbox whose transport does not say what it accepts. */
    int UNKNOWN_FRAME_LENGTH = 0;

    /**
     * @return the transport-specific address other nodes pass to {@link Transport#openOutlet(long, String)}, e.g. a
     * shared-memory name or a socket path. Published in the registry.
     */
    String address();

    /**
     * The largest frame, header included, that this inbox accepts: what the OS object and the reader really take,
     * which may differ from another node's {@link Transport#maxFrameLength()} when their URIs differ. The core
     * publishes it in the node's registry record, and every sender checks it before sending, so a frame this inbox
     * would drop is refused at the sender instead.
     *
     * @return the limit in bytes, or {@link #UNKNOWN_FRAME_LENGTH} (this default) if the transport does not say:
     * senders then rely on the transport's own check.
     */
    default int maxFrameLength() {
        return UNKNOWN_FRAME_LENGTH;
    }

    /**
     * Stops delivery and removes the OS object (socket file, shared memory). After it returns the listener is not
     * called again, unless {@code close} was called from the listener itself. Idempotent.
     */
    @Override
    void close();
}
