// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import com.sun.jna.Pointer;
import com.sun.jna.WString;

import java.io.IOException;

/**
 * A child JVM for {@link Win32ShimIT}: loads the shim through {@code jna.library.path} only (forwarded by
 * {@code ChildJvm}), creates the mailslot named by its argument in its own Windows process, prints {@code READY} and
 * waits until killed.
 */
public final class ShimChild {
    private ShimChild() {
    }

    /**
     * @param args the mailslot name.
     * @throws IOException never in practice.
     */
    public static void main(final String[] args) throws IOException {
        final Pointer slot = ShimBinding.kernel32().CreateMailslotW(new WString(args[0]), 0, 0, null);
        System.out.println(Pointer.nativeValue(slot) == -1 ? "FAILED" : "READY");
        System.out.flush();
        System.in.read();
    }
}
