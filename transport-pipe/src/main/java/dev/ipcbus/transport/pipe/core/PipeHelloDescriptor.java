// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import io.netty.buffer.ByteBuf;

/**
 * Layout of the hello a writer sends once, first, on every new pipe connection (before the first record on POSIX;
 * as the first message on Windows). It names the protocol version and the node the writer means to reach, so that
 * an inbox refuses a peer of another major version, a stranger speaking another protocol, or a writer aimed at a
 * node that is not this one.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x50435049 ("IPCP")                    |  0
 *  +---------------+---------------+-------------------------------+
 *  | Major version | Minor version |          Reserved (R)         |  4
 *  +---------------+---------------+-------------------------------+
 *  |                    Target node id (64)                        |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>Byte order: little-endian. Total length {@link #LENGTH} (16) bytes.</li>
 *   <li>Writer: the outlet, once, right after connecting. Reader: the inbox, before any record of that connection.</li>
 *   <li>Version: the magic and version come first; a reader refuses a different {@link #MAJOR_VERSION} and accepts
 *   any minor version. Reserved bits are written as 0 and ignored.</li>
 * </ul>
 * <b>Thread safety:</b> stateless; safe for concurrent use on distinct buffers.
 */
public final class PipeHelloDescriptor {
    /** "IPCP" read as a little-endian 32-bit integer. */
    public static final int MAGIC = 0x50435049;
    /** Major version of the pipe wire protocol (hello + record layout). */
    public static final byte MAJOR_VERSION = 1;
    /** Minor version: compatible additions. */
    public static final byte MINOR_VERSION = 0;

    /** Offset of the 32-bit magic. */
    public static final int MAGIC_OFFSET;
    /** Offset of the 8-bit major version. */
    public static final int MAJOR_VERSION_OFFSET;
    /** Offset of the 8-bit minor version. */
    public static final int MINOR_VERSION_OFFSET;
    /** Offset of the 16 reserved bits. */
    public static final int RESERVED_OFFSET;
    /** Offset of the 64-bit target node id. */
    public static final int TARGET_NODE_OFFSET;
    /** Total length of the hello. */
    public static final int LENGTH;

    static {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += Integer.BYTES;
        MAJOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        MINOR_VERSION_OFFSET = offset;
        offset += Byte.BYTES;
        RESERVED_OFFSET = offset;
        offset += Short.BYTES;
        TARGET_NODE_OFFSET = offset;
        offset += Long.BYTES;
        LENGTH = offset;
    }

    private PipeHelloDescriptor() {
    }

    /**
     * Writes a hello at {@code index}; the buffer's indexes are unchanged.
     *
     * @param buffer     the buffer, with at least {@link #LENGTH} bytes from {@code index}.
     * @param index      where the hello starts.
     * @param targetNode the node the writer means to reach.
     */
    public static void write(final ByteBuf buffer, final int index, final long targetNode) {
        buffer.setIntLE(index + MAGIC_OFFSET, MAGIC);
        buffer.setByte(index + MAJOR_VERSION_OFFSET, MAJOR_VERSION);
        buffer.setByte(index + MINOR_VERSION_OFFSET, MINOR_VERSION);
        buffer.setShortLE(index + RESERVED_OFFSET, 0);
        buffer.setLongLE(index + TARGET_NODE_OFFSET, targetNode);
    }

    /**
     * Checks a hello.
     *
     * @param buffer       the buffer.
     * @param index        where the hello starts; {@link #LENGTH} bytes must be readable from there.
     * @param expectedNode the inbox's own node id.
     * @return {@code null} if the hello is acceptable, else why not, as {@code key=value} text.
     */
    public static String check(final ByteBuf buffer, final int index, final long expectedNode) {
        final int magic = buffer.getIntLE(index + MAGIC_OFFSET);
        if (magic != MAGIC) {
            return "not an ipcbus pipe peer: magic=0x" + Integer.toHexString(magic);
        }
        final byte major = buffer.getByte(index + MAJOR_VERSION_OFFSET);
        if (major != MAJOR_VERSION) {
            return "incompatible pipe protocol: peerMajor=" + major + ", ourMajor=" + MAJOR_VERSION;
        }
        final long target = buffer.getLongLE(index + TARGET_NODE_OFFSET);
        if (target != expectedNode) {
            return "writer aimed at another node: target=" + Long.toHexString(target)
                + ", inbox=" + Long.toHexString(expectedNode);
        }
        return null;
    }
}
