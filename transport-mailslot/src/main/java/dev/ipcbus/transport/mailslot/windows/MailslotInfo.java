package dev.ipcbus.transport.mailslot.windows;

/**
 * The four values {@code GetMailslotInfo} reports, filled in place by
 * {@link Win32MailslotApi#GetMailslotInfo(long, MailslotInfo)} so that polling allocates nothing.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to one thread (the receive thread).
 */
public final class MailslotInfo {
    /** {@code lpMaxMessageSize}: the largest message the slot accepts, 0 for any size. */
    public int maxMessageSize;
    /** {@code lpNextSize}: the size of the next message, or {@link Win32MailslotApi#MAILSLOT_NO_MESSAGE}. */
    public int nextSize;
    /** {@code lpMessageCount}: messages waiting (Wine reports at most 1). */
    public int messageCount;
    /** {@code lpReadTimeout}: the read timeout in milliseconds. */
    public int readTimeout;
}
