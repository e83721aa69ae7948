// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * A receiving node's inbox stayed full for longer than the publish timeout; the frame was not delivered to it.
 */
public class BackpressureTimeoutException extends BusException {
    private static final long serialVersionUID = 1L;

    private final String node;

    /**
     * @param node          the slow node's id.
     * @param timeoutMillis how long the writer waited.
     * @param topic         the topic of the frame that was not delivered.
     */
    public BackpressureTimeoutException(final String node, final long timeoutMillis, final String topic) {
        super("backpressure timeout: node=" + node + ", waitedMillis=" + timeoutMillis + ", topic=" + topic);
        this.node = node;
    }

    /**
     * @return the id of the node whose inbox stayed full.
     */
    public String node() {
        return node;
    }
}
