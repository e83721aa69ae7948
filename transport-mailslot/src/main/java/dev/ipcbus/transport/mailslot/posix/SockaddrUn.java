// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import com.sun.jna.Structure;

import java.nio.charset.StandardCharsets;

/**
 * {@code struct sockaddr_un} on Linux: a 16-bit address family, then {@code sun_path}, 108 bytes holding a
 * NUL-terminated path. 110 bytes in all, no padding.
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to one thread (one instance per call).
 */
@Structure.FieldOrder({"sun_family", "sun_path"})
public final class SockaddrUn extends Structure {
    /** {@code AF_UNIX}. */
    public short sun_family;
    /** The path's bytes, NUL-terminated. */
    public byte[] sun_path = new byte[LinuxSocketConstants.SUN_PATH_LENGTH];

    /**
     * Creates an address for a path that fits {@code sun_path}.
     *
     * @param path the socket path; its UTF-8 form must be shorter than {@code sun_path}.
     * @throws IllegalArgumentException if it does not fit.
     */
    SockaddrUn(final String path) {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= sun_path.length) {
            throw new IllegalArgumentException("socket path too long for sun_path: path=" + path
                + ", length=" + bytes.length + ", max=" + (sun_path.length - 1));
        }
        sun_family = LinuxSocketConstants.AF_UNIX;
        System.arraycopy(bytes, 0, sun_path, 0, bytes.length);
    }

    /**
     * @return the {@code addrlen} to pass with this address: the whole structure.
     */
    int length() {
        return size();
    }
}
