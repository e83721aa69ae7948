// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.spi.InboxCounters;

/**
 * The counters of one mailslot inbox: the common ones in its node's statistics file ({@link InboxCounters}: frames
 * and bytes read; dropped = empty and oversize datagrams; errors = failed reads and listeners that threw), and the
 * drops and errors by kind in process memory, for tests and diagnostics.
 * <p>
 * <b>Thread safety:</b> one writer (the inbox's receive thread), any number of readers.
 */
public final class MailslotInboxCounters {
    private final InboxCounters common;
    private volatile long zeroLengthDropped;
    private volatile long oversizeDropped;
    private volatile long receiveErrors;
    private volatile long listenerErrors;

    /**
     * @param common the inbox's counters in its node's statistics file.
     */
    public MailslotInboxCounters(final InboxCounters common) {
        this.common = common;
    }

    /**
     * Counts one frame delivered; receive thread only.
     *
     * @param length its length in bytes.
     */
    void onFrame(final int length) {
        common.onFramesRead(1, length);
    }

    /**
     * @return the number of empty datagrams dropped so far, this one included; receive thread only.
     */
    long onZeroLength() {
        common.onFramesDropped(1);
        return ++zeroLengthDropped;
    }

    /**
     * @return the number of oversize datagrams dropped so far, this one included; receive thread only.
     */
    long onOversize() {
        common.onFramesDropped(1);
        return ++oversizeDropped;
    }

    /**
     * @return the number of failed reads so far, this one included; receive thread only.
     */
    long onReceiveError() {
        common.onError();
        return ++receiveErrors;
    }

    /**
     * Counts a listener that threw; receive thread only.
     */
    void onListenerError() {
        common.onError();
        listenerErrors++;
    }

    /**
     * @return the common counters, in the node's statistics file.
     */
    public InboxCounters common() {
        return common;
    }

    /**
     * @return frames handed to the listener.
     */
    public long frames() {
        return common.framesRead();
    }

    /**
     * @return bytes of those frames.
     */
    public long bytes() {
        return common.bytesRead();
    }

    /**
     * @return empty datagrams dropped.
     */
    public long zeroLengthDropped() {
        return zeroLengthDropped;
    }

    /**
     * @return oversize datagrams dropped.
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
}
