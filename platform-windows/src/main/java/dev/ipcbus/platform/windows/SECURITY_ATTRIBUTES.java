// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * <a href="https://learn.microsoft.com/windows/win32/api/wtypesbase/ns-wtypesbase-security_attributes">
 * SECURITY_ATTRIBUTES</a> (minwinbase.h): a security descriptor and the inheritance of the created handle. Win64 size
 * 24 ({@code nLength} 4, padding 4, {@code lpSecurityDescriptor} 8, {@code bInheritHandle} 4, padding 4).
 * <p>
 * <b>Thread safety:</b> not thread-safe; build one per call ({@link CurrentUserSecurity#attributes()}).
 */
@Structure.FieldOrder({"nLength", "lpSecurityDescriptor", "bInheritHandle"})
public final class SECURITY_ATTRIBUTES extends Structure {
    /** The structure's size in bytes. */
    public int nLength;
    /** A self-relative security descriptor, or {@code null} for the default. */
    public Pointer lpSecurityDescriptor;
    /** Whether child processes inherit the handle ({@code BOOL}). */
    public boolean bInheritHandle;

    /** A zeroed structure with {@link #nLength} set. */
    public SECURITY_ATTRIBUTES() {
        nLength = size();
    }
}
