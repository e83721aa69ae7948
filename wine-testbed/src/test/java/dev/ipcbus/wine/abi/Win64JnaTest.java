// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import dev.ipcbus.platform.windows.Kernel32;
import dev.ipcbus.platform.windows.OVERLAPPED;
import dev.ipcbus.platform.windows.SECURITY_ATTRIBUTES;
import dev.ipcbus.platform.windows.TOKEN_USER;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The Win64 view of JNA types and layouts. No Wine needed. */
class Win64JnaTest {
    @Test
    void shouldPassJavaTypesAsJnaDoesOnWin64() {
        assertEquals("i4", Win64Jna.argument(int.class).toString());
        assertEquals("i4", Win64Jna.argument(boolean.class).toString());
        assertEquals("i2", Win64Jna.argument(char.class).toString());
        assertEquals("i8", Win64Jna.argument(long.class).toString());
        assertEquals("p8>4", Win64Jna.argument(IntByReference.class).toString());
        assertEquals("p8>8", Win64Jna.argument(LongByReference.class).toString());
        assertEquals("p8>2", Win64Jna.argument(com.sun.jna.WString.class).toString());
        assertEquals("p8>1", Win64Jna.argument(String.class).toString());
        assertEquals("p8>?", Win64Jna.argument(com.sun.jna.Pointer.class).toString());
        assertEquals("p8>32", Win64Jna.argument(OVERLAPPED.class).toString());
        assertEquals("p8>2", Win64Jna.argument(char[].class).toString());
        assertEquals("void", Win64Jna.argument(void.class).toString());
    }

    @Test
    void shouldLayOutPlatformWindowsStructuresForWin64() {
        assertEquals(32, Win64Jna.layout(OVERLAPPED.class).size());
        assertEquals(24, Win64Jna.layout(OVERLAPPED.class).fields().get("hEvent").offset());
        assertEquals(24, Win64Jna.layout(SECURITY_ATTRIBUTES.class).size());
        assertEquals(16, Win64Jna.layout(SECURITY_ATTRIBUTES.class).fields().get("bInheritHandle").offset());
        assertEquals(16, Win64Jna.layout(TOKEN_USER.class).size());
    }

    /** On x86-64 JNA's own (Linux) layout of these structures is the Win64 one; computed separately all the same. */
    @Test
    void shouldAgreeWithJnaOnThisX8664JvmForPlatformWindowsStructures() {
        final var structures = AbiComparator.Declarations.ofPackage(Kernel32.class).structures();
        assertFalse(structures.isEmpty());
        for (final Class<? extends Structure> type : structures) {
            final Win64Jna.Layout win64 = Win64Jna.layout(type);
            final Win64Jna.Layout jna = Win64Jna.jnaLayout(type);
            assertEquals(jna.size(), win64.size(), type.getSimpleName() + " size");
            for (final Map.Entry<String, Win64Jna.FieldLayout> field : jna.fields().entrySet()) {
                assertEquals(field.getValue().offset(), win64.fields().get(field.getKey()).offset(),
                    type.getSimpleName() + "." + field.getKey() + " offset");
            }
        }
    }
}
