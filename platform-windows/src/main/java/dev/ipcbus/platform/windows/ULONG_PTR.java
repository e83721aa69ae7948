// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;

/**
 * {@code ULONG_PTR} (basetsd.h): an unsigned integer as wide as a pointer (8 bytes on Win64).
 * <p>
 * <b>Thread safety:</b> immutable once read.
 */
public final class ULONG_PTR extends IntegerType {
    private static final long serialVersionUID = 1L;

    /** Zero. */
    public ULONG_PTR() {
        this(0);
    }

    /**
     * @param value the value.
     */
    public ULONG_PTR(final long value) {
        super(Native.POINTER_SIZE, value, true);
    }
}
