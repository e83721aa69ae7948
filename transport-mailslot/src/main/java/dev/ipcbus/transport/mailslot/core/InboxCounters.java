package dev.ipcbus.transport.mailslot.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The counters of one inbox: frames delivered, and datagrams dropped because they cannot be a frame.
 * <p>
 * <b>Thread safety:</b> one writer (the inbox's receive thread), any number of readers; writes are ordered stores,
 * reads are volatile, so a reader sees each counter's values in increasing order.
 */
public final class InboxCounters {
    /** Counter name: frames handed to the listener. */
    public static final String FRAMES = "frames";
    /** Counter name: bytes of the frames handed to the listener. */
    public static final String BYTES = "bytes";
    /** Counter name: empty datagrams dropped. */
    public static final String ZERO_LENGTH_DROPPED = "zeroLengthDropped";
    /** Counter name: datagrams longer than the largest frame (truncated by the read), dropped. */
    public static final String OVERSIZE_DROPPED = "oversizeDropped";
    /** Counter name: failed OS reads. */
    public static final String RECEIVE_ERRORS = "receiveErrors";
    /** Counter name: frames whose listener threw. */
    public static final String LISTENER_ERRORS = "listenerErrors";

    private static final AtomicLongFieldUpdater<InboxCounters> FRAMES_UPDATER =
        AtomicLongFieldUpdater.newUpdater(InboxCounters.class, "frames");
    private static final AtomicLongFieldUpdater<InboxCounters> BYTES_UPDATER =
        AtomicLongFieldUpdater.newUpdater(InboxCounters.class, "bytes");

    private volatile long frames;
    private volatile long bytes;
    private volatile long zeroLengthDropped;
    private volatile long oversizeDropped;
    private volatile long receiveErrors;
    private volatile long listenerErrors;

    /**
     * Counts one frame delivered; receive thread only.
     *
     * @param length its length in bytes.
     */
    void onFrame(final int length) {
        // Single writer: ordered (lazy) stores are enough and cost no fence on the hot path.
        FRAMES_UPDATER.lazySet(this, frames + 1);
        BYTES_UPDATER.lazySet(this, bytes + length);
    }

    /**
     * @return the number of empty datagrams dropped so far, this one included; receive thread only.
     */
    long onZeroLength() {
        return ++zeroLengthDropped;
    }

    /**
     * @return the number of oversize datagrams dropped so far, this one included; receive thread only.
     */
    long onOversize() {
        return ++oversizeDropped;
    }

    /**
     * @return the number of failed reads so far, this one included; receive thread only.
     */
    long onReceiveError() {
        return ++receiveErrors;
    }

    /**
     * Counts a listener that threw; receive thread only.
     */
    void onListenerError() {
        listenerErrors++;
    }

    /**
     * @return frames handed to the listener.
     */
    public long frames() {
        return frames;
    }

    /**
     * @return bytes of the frames handed to the listener.
     */
    public long bytes() {
        return bytes;
    }

    /**
     * @return empty datagrams dropped.
     */
    public long zeroLengthDropped() {
        return zeroLengthDropped;
    }

    /**
     * @return datagrams longer than the largest frame, dropped.
     */
    public long oversizeDropped() {
        return oversizeDropped;
    }

    /**
     * @return failed OS reads.
     */
    public long receiveErrors() {
        return receiveErrors;
    }

    /**
     * @return frames whose listener threw.
     */
    public long listenerErrors() {
        return listenerErrors;
    }

    /**
     * @return every counter by name, in a fixed order.
     */
    public Map<String, Long> toMap() {
        final Map<String, Long> map = new LinkedHashMap<>();
        map.put(FRAMES, frames);
        map.put(BYTES, bytes);
        map.put(ZERO_LENGTH_DROPPED, zeroLengthDropped);
        map.put(OVERSIZE_DROPPED, oversizeDropped);
        map.put(RECEIVE_ERRORS, receiveErrors);
        map.put(LISTENER_ERRORS, listenerErrors);
        return map;
    }
}
