// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.frame.FrameDescriptor;

/**
 * The size rules both OS layers share: the default and the bounds of the {@code maxFrame} option, and the size of the
 * receive buffer.
 * <p>
 * One datagram carries exactly one frame, so the largest frame is the largest datagram. A reader reads into a buffer
 * one byte longer than the largest frame: a datagram that fills it whole was larger than any frame may be, whatever
 * the OS says about truncation.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class MailslotSizing {
    /** Default largest frame, header included: 64 KiB, a size both Windows mailslots and Linux sockets carry. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024;

    /** Smallest accepted {@code maxFrame}: a frame header, the longest topic and some payload. */
    public static final int MIN_MAX_FRAME_LENGTH = 1024;

    static {
        if (FrameDescriptor.MAX_HEADER_LENGTH + FrameDescriptor.MAX_TOPIC_LENGTH >= MIN_MAX_FRAME_LENGTH) {
            throw new ExceptionInInitializerError("MIN_MAX_FRAME_LENGTH too small for a frame header and topic");
        }
    }

    private MailslotSizing() {
    }

    /**
     * Checks a requested {@code maxFrame} against the bounds of one platform.
     *
     * @param requested   the requested largest frame, in bytes.
     * @param platformMax the platform's largest datagram.
     * @param option      the option name, for the message.
     * @return {@code requested} as an {@code int}.
     * @throws ConfigurationException if it is below {@link #MIN_MAX_FRAME_LENGTH} or above {@code platformMax}.
     */
    public static int checkMaxFrameLength(final long requested, final int platformMax, final String option) {
        if (requested < MIN_MAX_FRAME_LENGTH || requested > platformMax) {
            throw new ConfigurationException("bad mailslot frame size: option=" + option + ", value=" + requested
                + ", min=" + MIN_MAX_FRAME_LENGTH + ", max=" + platformMax);
        }
        return (int)requested;
    }

    /**
     * @param maxFrameLength the largest frame.
     * @return the length of the buffer a reader reads datagrams into: one byte more than the largest frame.
     */
    public static int receiveBufferLength(final int maxFrameLength) {
        return maxFrameLength + 1;
    }
}
