// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import io.netty.buffer.ByteBuf;

/**
 * The sending end to one node's {@link Inbox}. Opened once per target node and reused.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; frames offered by one thread arrive in the order offered.
 */
public interface Outlet extends AutoCloseable {
    /**
     * The frame was written into the target inbox.
     */
    int SENT = 0;

    /**
     * The target inbox stayed full until the timeout; nothing was written. The caller reports a backpressure timeout
     * naming the node.
     */
    int BACK_PRESSURED = -1;

    /**
     * The target inbox is gone (its owner died or closed it); nothing was written. The caller checks the node's
     * liveness in the registry, reclaims it if dead, and drops this outlet.
     */
    int PEER_GONE = -2;

    /**
     * This outlet (or its transport) was closed, possibly while the caller waited; nothing was written.
     */
    int CLOSED = -3;

    /**
     * Writes one frame into the target inbox, waiting up to {@code timeoutNanos} while it is full. While waiting, the
     * outlet checks {@link NodeLiveness} so that a writer to a dead node is released at once with
     * {@link #PEER_GONE}.
     * <p>
     * <b>Ownership:</b> borrows {@code frame} (caller keeps ownership); its readable bytes are the frame and its
     * indexes are left unchanged.
     *
     * @param frame        the frame, at most {@link Transport#maxFrameLength()} bytes.
     * @param timeoutNanos how long to wait for space; 0 means do not wait.
     * @return {@link #SENT}, {@link #BACK_PRESSURED}, {@link #PEER_GONE} or {@link #CLOSED}.
     * @throws IllegalArgumentException if the frame is larger than {@link Transport#maxFrameLength()}.
     * @throws dev.ipcbus.MessageTooLargeException if the target's inbox cannot take a frame this large (a run-time
     *                                             condition, e.g. a filemap target with a smaller capacity).
     */
    int offer(ByteBuf frame, long timeoutNanos);

    /**
     * Whether {@link #offer(FrameWriter, int, long)} writes the frame in place (no intermediate buffer, no copy).
     * When it does not, a caller that has the frame encoded already should prefer {@link #offer(ByteBuf, long)}.
     *
     * @return {@code true} if this outlet overrides {@link #offer(FrameWriter, int, long)} to write in place.
     */
    default boolean writesInPlace() {
        return false;
    }

    /**
     * Writes one frame of {@code frameLength} bytes into the target inbox by letting {@code writer} encode it where
     * the transport will carry it from, waiting up to {@code timeoutNanos} while the inbox is full, with the same
     * results and liveness checks as {@link #offer(ByteBuf, long)}. What the writer wrote is delivered only if the
     * result is {@link #SENT}, and once; an outlet that reconnects may call the writer again for the new connection,
     * so it must write the same frame every time. If the writer throws, nothing is delivered (space it was given is
     * released) and the exception propagates.
     * <p>
     * This default encodes into a new heap buffer and offers that; outlets that can write in place override it
     * and answer {@code true} from {@link #writesInPlace()}.
     *
     * @param writer       encodes the frame.
     * @param frameLength  the frame's exact length, at most {@link Transport#maxFrameLength()} bytes.
     * @param timeoutNanos how long to wait for space; 0 means do not wait.
     * @return {@link #SENT}, {@link #BACK_PRESSURED}, {@link #PEER_GONE} or {@link #CLOSED}.
     * @throws IllegalArgumentException if the frame is larger than {@link Transport#maxFrameLength()}.
     * @throws dev.ipcbus.MessageTooLargeException if the target's inbox cannot take a frame this large (a run-time
     *                                             condition, e.g. a filemap target with a smaller capacity).
     */
    default int offer(final FrameWriter writer, final int frameLength, final long timeoutNanos) {
        return offer(writer.writeToNewBuffer(frameLength), timeoutNanos);
    }

    /**
     * Closes the outlet; a thread blocked in {@link #offer} returns {@link #CLOSED}. Idempotent.
     */
    @Override
    void close();
}
