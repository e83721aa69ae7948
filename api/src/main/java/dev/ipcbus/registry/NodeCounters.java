// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.registry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statistics every node keeps in {@code <node id>.stats} (a {@link CounterFile} with magic "IBNC", layout 2),
 * readable by other processes for introspection. Written by the owning node only: the core, and its transport's
 * inbox through {@link dev.ipcbus.spi.InboxCounters} (the {@code inbox*} counters, the same for every transport).
 */
public final class NodeCounters {
    /** Magic of a node statistics file, "IBNC" little-endian. */
    public static final int MAGIC = 0x434E4249;
    /** Layout version. */
    public static final int LAYOUT = 2;

    /** Frames this node's outlets delivered. */
    public static final int FRAMES_SENT = 0;
    /** Bytes of those frames. */
    public static final int BYTES_SENT = 1;
    /** Frames this node's inbox delivered to the core. */
    public static final int FRAMES_RECEIVED = 2;
    /** Bytes of those frames. */
    public static final int BYTES_RECEIVED = 3;
    /** Received frames that failed validation and were dropped. */
    public static final int MALFORMED_FRAMES = 4;
    /** Handler exceptions and messages that did not deserialize. */
    public static final int HANDLER_ERRORS = 5;
    /** Sends that failed with a backpressure timeout. */
    public static final int BACKPRESSURE_TIMEOUTS = 6;
    /** Requests sent. */
    public static final int REQUESTS_SENT = 7;
    /** Requests that timed out. */
    public static final int REQUESTS_TIMED_OUT = 8;
    /** Replies (and error replies) sent. */
    public static final int REPLIES_SENT = 9;
    /** Frames the transport's inbox read and handed to the node. */
    public static final int INBOX_FRAMES_READ = 10;
    /** Bytes of those frames. */
    public static final int INBOX_BYTES_READ = 11;
    /**
     * Frames the inbox lost or refused before the node saw them: beyond its maximum, cut off by a writer that died or
     * gave up, skipped or corrupt in a ring, empty datagrams.
     */
    public static final int INBOX_FRAMES_DROPPED = 12;
    /**
     * Receive failures of the inbox: connections dropped for garbage or a missing hello, failed reader threads, OS
     * receive errors.
     */
    public static final int INBOX_ERRORS = 13;
    /** The number of counters. */
    public static final int COUNT = 14;

    private static final String[] NAMES = {
        "framesSent", "bytesSent", "framesReceived", "bytesReceived", "malformedFrames", "handlerErrors",
        "backpressureTimeouts", "requestsSent", "requestsTimedOut", "repliesSent", "inboxFramesRead", "inboxBytesRead",
        "inboxFramesDropped", "inboxErrors"};

    private NodeCounters() {
    }

    /**
     * @param counters a node's counters.
     * @return counter name to value, in index order.
     */
    public static Map<String, Long> snapshot(final CounterFile counters) {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            values.put(NAMES[i], counters.get(i));
        }
        return values;
    }
}
