// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * <a href="https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-overlapped">OVERLAPPED</a>
 * (minwinbase.h): the state of one overlapped I/O. The {@code Offset}/{@code OffsetHigh} pair is the member of the
 * union Windows declares (the other member, {@code Pointer}, has the same 8 bytes); Win64 size 32, {@code hEvent} at
 * 24. Its memory must stay alive and unmoved until the I/O completes, so it is handed to the functions as a
 * {@link Pointer} ({@link #getPointer()}), never as a structure argument that JNA would copy around the call.
 * <p>
 * <b>Thread safety:</b> not thread-safe; the kernel writes {@code Internal}/{@code InternalHigh} while I/O is pending.
 */
@Structure.FieldOrder({"Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"})
public final class OVERLAPPED extends Structure {
    /** The I/O's status code ({@code NTSTATUS}), written by the kernel. */
    public ULONG_PTR Internal;
    /** The bytes transferred, written by the kernel. */
    public ULONG_PTR InternalHigh;
    /** File offset, low 32 bits (0 for pipes). */
    public int Offset;
    /** File offset, high 32 bits. */
    public int OffsetHigh;
    /** The event signaled at completion (manual-reset), or {@code null}. */
    public Pointer hEvent;

    /** Allocates a zeroed structure in native memory. */
    public OVERLAPPED() {
        Internal = new ULONG_PTR();
        InternalHigh = new ULONG_PTR();
    }
}
