// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * <a href="https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-token_user">TOKEN_USER</a> (winnt.h): what
 * {@code GetTokenInformation(TokenUser)} writes at the start of its buffer; {@code User.Sid} points further into that
 * buffer. Win64 size 16.
 * <p>
 * <b>Thread safety:</b> not thread-safe.
 */
@Structure.FieldOrder({"User"})
public final class TOKEN_USER extends Structure {
    /** The user's SID. */
    public SID_AND_ATTRIBUTES User;

    /** A zeroed structure. */
    public TOKEN_USER() {
        User = new SID_AND_ATTRIBUTES();
    }

    /**
     * Reads the structure at {@code memory}.
     *
     * @param memory the start of a {@code GetTokenInformation(TokenUser)} buffer.
     */
    public TOKEN_USER(final Pointer memory) {
        super(memory);
        read();
    }
}
