// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * <a href="https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-sid_and_attributes">SID_AND_ATTRIBUTES</a>
 * (winnt.h): a SID pointer and its attributes; Win64 size 16.
 * <p>
 * <b>Thread safety:</b> not thread-safe.
 */
@Structure.FieldOrder({"Sid", "Attributes"})
public class SID_AND_ATTRIBUTES extends Structure {
    /** The SID ({@code PSID}). */
    public Pointer Sid;
    /** Its attributes ({@code DWORD}). */
    public int Attributes;

    /** A zeroed structure. */
    public SID_AND_ATTRIBUTES() {
    }
}
