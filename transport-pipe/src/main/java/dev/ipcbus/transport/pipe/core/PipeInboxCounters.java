// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.InboxCounters;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters one pipe inbox keeps: the common ones in its node's statistics file ({@link InboxCounters}: frames and
 * bytes read; dropped = partial, aborted and oversize frames; errors = garbage, missing hellos, failed readers), and
 * the pipe's detail, by kind, in process memory for tests and diagnostics.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeInboxCounters {
    private final InboxCounters common;
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsOpen = new AtomicLong();
    private final AtomicLong partialFramesDiscarded = new AtomicLong();
    private final AtomicLong abortedFrames = new AtomicLong();
    private final AtomicLong malformedConnections = new AtomicLong();
    private final AtomicLong oversizeFramesDropped = new AtomicLong();
    private final AtomicLong helloTimeouts = new AtomicLong();
    private final AtomicLong readerFailures = new AtomicLong();

    /**
     * @param common the inbox's counters in its node's statistics file.
     */
    public PipeInboxCounters(final InboxCounters common) {
        this.common = common;
    }

    /**
     * Counts one delivered frame.
     *
     * @param length its length in bytes.
     */
    public void onFrame(final int length) {
        common.onFramesRead(1, length);
    }

    /** Counts an accepted writer connection. */
    public void onConnectionAccepted() {
        connectionsAccepted.incrementAndGet();
        connectionsOpen.incrementAndGet();
    }

    /** Counts a closed writer connection. */
    public void onConnectionClosed() {
        connectionsOpen.decrementAndGet();
    }

    /** Counts a frame dropped because its writer's connection ended mid-frame. */
    public void onPartialFrameDiscarded() {
        partialFramesDiscarded.incrementAndGet();
        common.onFramesDropped(1);
    }

    /** Counts a frame its writer aborted ({@link PipeRecordDescriptor#STATUS_ABORT}). */
    public void onAbortedFrame() {
        abortedFrames.incrementAndGet();
        common.onFramesDropped(1);
    }

    /** Counts a frame beyond the inbox's maximum that was skipped (its connection kept). */
    public void onOversizeFrameDropped() {
        oversizeFramesDropped.incrementAndGet();
        common.onFramesDropped(1);
    }

    /**
     * Counts a connection closed because its hello did not arrive in time.
     *
     * @return the count so far, this one included.
     */
    public long onHelloTimeout() {
        common.onError();
        return helloTimeouts.incrementAndGet();
    }

    /** Counts a connection closed because its reader failed (say, out of memory for a frame's buffer). */
    public void onReaderFailure() {
        readerFailures.incrementAndGet();
        common.onError();
    }

    /** Counts a connection dropped for transport-level garbage. */
    public void onMalformedConnection() {
        malformedConnections.incrementAndGet();
        common.onError();
    }

    /**
     * @return the common counters, in the node's statistics file.
     */
    public InboxCounters common() {
        return common;
    }

    /**
     * @return frames dropped because their writer's connection ended mid-frame.
     */
    public long partialFramesDiscarded() {
        return partialFramesDiscarded.get();
    }

    /**
     * @return frames their writers aborted after a timeout.
     */
    public long abortedFrames() {
        return abortedFrames.get();
    }

    /**
     * @return connections dropped for transport-level garbage.
     */
    public long malformedConnections() {
        return malformedConnections.get();
    }

    /**
     * @return frames beyond the inbox's maximum that were skipped, their connections kept.
     */
    public long oversizeFramesDropped() {
        return oversizeFramesDropped.get();
    }

    /**
     * @return connections closed because their hello did not arrive in time.
     */
    public long helloTimeouts() {
        return helloTimeouts.get();
    }

    /**
     * @return connections closed because their reader failed.
     */
    public long readerFailures() {
        return readerFailures.get();
    }

    /**
     * @return writer connections open now.
     */
    public long connectionsOpen() {
        return connectionsOpen.get();
    }
}
