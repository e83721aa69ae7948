// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * The responder's handler threw (or its future failed); carries the remote exception's type and message.
 */
public class ResponderFailedException extends BusException {
    private static final long serialVersionUID = 1L;

    private final String remoteType;
    private final String remoteMessage;

    /**
     * @param topic         the request topic.
     * @param node          the responder node's id.
     * @param remoteType    the fully qualified class name of the exception thrown in the responder.
     * @param remoteMessage its message, possibly {@code null}.
     */
    public ResponderFailedException(
        final String topic, final String node, final String remoteType, final String remoteMessage) {
        super("responder failed: topic=" + topic + ", node=" + node + ", remoteType=" + remoteType
            + ", remoteMessage=" + remoteMessage);
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    /**
     * @return the fully qualified class name of the exception thrown in the responder.
     */
    public String remoteType() {
        return remoteType;
    }

    /**
     * @return the remote exception's message, possibly {@code null}.
     */
    public String remoteMessage() {
        return remoteMessage;
    }
}
