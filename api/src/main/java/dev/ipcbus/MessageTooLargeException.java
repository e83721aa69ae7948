package dev.ipcbus;

/**
 * A message (its whole frame) is larger than the transport's maximum; nothing was sent.
 */
public class MessageTooLargeException extends BusException {
    private static final long serialVersionUID = 1L;

    private final int length;
    private final int maxLength;

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
    }

    /**
     * @return the frame length that was refused, in bytes.
     */
    public int length() {
        return length;
    }

    /**
     * @return the transport's maximum frame length, in bytes.
     */
    public int maxLength() {
        return maxLength;
    }
}
