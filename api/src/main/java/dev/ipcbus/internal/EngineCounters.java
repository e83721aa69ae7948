// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one node on an engine-routed transport, under the names {@code NodeCounters} gives every node (a
 * frame here is one engine message), so that {@code stat} reads one vocabulary whatever the transport.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class EngineCounters {
    final LongAdder framesSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder framesReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    final LongAdder requestsSent = new LongAdder();
    final LongAdder requestsTimedOut = new LongAdder();
    final LongAdder repliesSent = new LongAdder();

    /**
     * Counts a message received from the engine.
     *
     * @param bodyLength its body's length.
     */
    void received(final int bodyLength) {
        framesReceived.increment();
        bytesReceived.add(bodyLength);
    }

    /**
     * @return the counters by name, in {@code NodeCounters} order.
     */
    Map<String, Long> snapshot() {
        final Map<String, Long> values = new LinkedHashMap<>();
        values.put("framesSent", framesSent.sum());
        values.put("bytesSent", bytesSent.sum());
        values.put("framesReceived", framesReceived.sum());
        values.put("bytesReceived", bytesReceived.sum());
        values.put("handlerErrors", handlerErrors.sum());
        values.put("requestsSent", requestsSent.sum());
        values.put("requestsTimedOut", requestsTimedOut.sum());
        values.put("repliesSent", repliesSent.sum());
        return values;
    }
}
