// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

/**
 * A message (its whole frame) is larger than the transport's maximum, or than what a target node's inbox accepts (as
 * that node advertises in its registry record); nothing was sent, to any node.
 */
public class MessageTooLargeException extends BusException {
    private static final long serialVersionUID = 1L;

    private final int length;
    private final int maxLength;
    private final String node;

    /**
     * @param length    the frame length that was refused, in bytes.
     * @param maxLength the transport's maximum frame length, in bytes.
     * @param transport the transport's scheme, for the message.
     */
    public MessageTooLargeException(final int length, final int maxLength, final String transport) {
        super("message too large: frameLength=" + length + ", maxFrameLength=" + maxLength
            + ", transport=" + transport);
        this.length = length;
        this.maxLength = maxLength;
        this.node = null;
    }

    /**
     * A frame larger than one target node's inbox accepts.
     *
     * @param length    the frame length that was refused, in bytes.
     * @param maxLength the largest frame the target's inbox accepts, in bytes.
     * @param transport the transport's scheme, for the message.
     * @param node      the target node's id.
     * @param option    the URI option that raises the target's limit, for the message; {@code null} if none.
     */
    public MessageTooLargeException(final int length, final int maxLength, final String transport,
        final String node, final String option) {
        super("message too large for the target node's inbox: frameLength=" + length + ", maxFrameLength="
            + maxLength + ", node=" + node + ", transport=" + transport
            + (option == null ? "" : ", option=" + option + " (raise it in that node's bus URI)"));
        this.length = length;
        this.maxLength = maxLength;
        this.node = node;
    }

    /**
     * @return the frame length that was refused, in bytes.
     */
    public int length() {
        return length;
    }

    /**
     * @return the maximum frame length that refused it (the transport's, or the target node's), in bytes.
     */
    public int maxLength() {
        return maxLength;
    }

    /**
     * @return the target node whose inbox limit refused the frame, or {@code null} if it was the transport's own.
     */
    public String node() {
        return node;
    }
}
