// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import java.nio.charset.StandardCharsets;

/**
 * What one bridged Win32 call returned: the return value (a {@code BOOL}, {@code DWORD}, handle or address, widened to
 * {@code long}), {@code GetLastError()} read right after the call in the Wine process, and any out-values (numbers
 * such as the bytes read, and byte strings such as the data read or a returned text).
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class BridgeReply {
    private final long value;
    private final int lastError;
    private final long[] ints;
    private final byte[][] blobs;

    BridgeReply(final long value, final int lastError, final long[] ints, final byte[][] blobs) {
        this.value = value;
        this.lastError = lastError;
        this.ints = ints;
        this.blobs = blobs;
    }

    /**
     * A reply no bridge sent: what a call returns in a process that no longer exists, for test doubles that let the
     * Java objects of a killed "process" be closed.
     *
     * @param value     the failure value of the function ({@code 0}, {@code FALSE} or {@code INVALID_HANDLE_VALUE}).
     * @param lastError the error to report.
     * @return the reply, with no out-values but zeros and empty bytes.
     */
    public static BridgeReply failed(final long value, final int lastError) {
        return new BridgeReply(value, lastError, new long[4], new byte[][] {new byte[0], new byte[0]});
    }

    /**
     * @return the call's return value; a handle is its numeric value ({@code INVALID_HANDLE_VALUE} is -1).
     */
    public long value() {
        return value;
    }

    /**
     * @return {@code value() != 0}: the truth of a {@code BOOL}, or a handle or address that is not {@code NULL}.
     */
    public boolean ok() {
        return value != 0;
    }

    /**
     * @return {@code GetLastError()} read right after the call, in the bridge thread that made it (the bridge sets it
     * to 0 before each call).
     */
    public int lastError() {
        return lastError;
    }

    /**
     * @param index which out-number.
     * @return the out-number, e.g. {@code lpNumberOfBytesRead}.
     * @throws IndexOutOfBoundsException if the call returned fewer.
     */
    public long out(final int index) {
        return ints[index];
    }

    /**
     * @param index which out-bytes.
     * @return the out-bytes, e.g. the data {@code ReadFile} read (the array is this reply's own).
     * @throws IndexOutOfBoundsException if the call returned fewer.
     */
    public byte[] bytes(final int index) {
        return blobs[index];
    }

    /**
     * @param index which out-bytes.
     * @return the out-bytes decoded as UTF-16LE, as a Win32 wide string.
     */
    public String text(final int index) {
        return new String(blobs[index], StandardCharsets.UTF_16LE);
    }

    @Override
    public String toString() {
        return "BridgeReply{value=" + value + ", lastError=" + lastError + ", outs=" + ints.length + ", bytes="
            + blobs.length + "}";
    }
}
