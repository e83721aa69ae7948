// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;

/**
 * {@code SIZE_T} (basetsd.h): an unsigned byte count as wide as a pointer (8 bytes on Win64).
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class SIZE_T extends IntegerType {
    private static final long serialVersionUID = 1L;

    /** Zero. */
    public SIZE_T() {
        this(0);
    }

    /**
     * @param value the value.
     */
    public SIZE_T(final long value) {
        super(Native.POINTER_SIZE, value, true);
    }
}
