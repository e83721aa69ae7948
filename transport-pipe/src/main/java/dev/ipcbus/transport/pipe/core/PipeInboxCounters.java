package dev.ipcbus.transport.pipe.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters one pipe inbox keeps, readable by the stat tool through
 * {@link dev.ipcbus.spi.Transport#inboxCounters(long, String)} (for inboxes of the same process only: the counters
 * live on the heap, not in shared memory).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeInboxCounters {
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsOpen = new AtomicLong();
    private final AtomicLong partialFramesDiscarded = new AtomicLong();
    private final AtomicLong abortedFrames = new AtomicLong();
    private final AtomicLong malformedConnections = new AtomicLong();
    private final AtomicLong oversizeFramesDropped = new AtomicLong();
    private final AtomicLong helloTimeouts = new AtomicLong();
    private final AtomicLong readerFailures = new AtomicLong();

    /**
     * Counts one delivered frame.
     *
     * @param length its length in bytes.
     */
    public void onFrame(final int length) {
        framesReceived.incrementAndGet();
        bytesReceived.addAndGet(length);
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
    }

    /** Counts a frame its writer aborted ({@link PipeRecordDescriptor#STATUS_ABORT}). */
    public void onAbortedFrame() {
        abortedFrames.incrementAndGet();
    }

    /** Counts a frame beyond the inbox's maximum that was skipped (its connection kept). */
    public void onOversizeFrameDropped() {
        oversizeFramesDropped.incrementAndGet();
    }

    /**
     * Counts a connection closed because its hello did not arrive in time.
     *
     * @return the count so far, this one included.
     */
    public long onHelloTimeout() {
        return helloTimeouts.incrementAndGet();
    }

    /** Counts a connection closed because its reader failed (say, out of memory for a frame's buffer). */
    public void onReaderFailure() {
        readerFailures.incrementAndGet();
    }

    /** Counts a connection dropped for transport-level garbage. */
    public void onMalformedConnection() {
        malformedConnections.incrementAndGet();
    }

    /**
     * @return frames delivered to the listener.
     */
    public long framesReceived() {
        return framesReceived.get();
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

    /**
     * @return every counter, name to value, in a stable order.
     */
    public Map<String, Long> snapshot() {
        final Map<String, Long> map = new LinkedHashMap<>();
        map.put("framesReceived", framesReceived.get());
        map.put("bytesReceived", bytesReceived.get());
        map.put("connectionsAccepted", connectionsAccepted.get());
        map.put("connectionsOpen", connectionsOpen.get());
        map.put("partialFramesDiscarded", partialFramesDiscarded.get());
        map.put("abortedFrames", abortedFrames.get());
        map.put("malformedConnections", malformedConnections.get());
        map.put("oversizeFramesDropped", oversizeFramesDropped.get());
        map.put("helloTimeouts", helloTimeouts.get());
        map.put("readerFailures", readerFailures.get());
        return map;
    }
}
