// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine.abi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The step between the probe's two compiler runs: aux-info prototypes to signature lines. No Wine needed. */
class AbiProbeTest {
    @Test
    void shouldTurnMarkerPrototypesIntoSignatureLines() {
        final String auxInfo = """
            /* /usr/share/mingw-w64/include/fileapi.h:34:NC */ extern WINBOOL ReadFile (HANDLE, LPVOID, DWORD);
            /* abiprobe.c:151:NC */ extern WINBOOL abi_probe__kernel32__CancelIoEx (HANDLE, LPOVERLAPPED);
            /* abiprobe.c:151:NC */ extern DWORD abi_probe__kernel32__GetLastError (void);
            /* abiprobe.c:151:NC */ extern void abi_probe__kernel32__SetLastError (DWORD);
            /* abiprobe.c:151:NC */ extern DWORD abi_probe__kernel32__WaitForMultipleObjects (DWORD, const HANDLE *, \
            WINBOOL, DWORD);
            /* abiprobe.c:151:NC */ extern WINBOOL abi_probe__kernel32__ReadFileEx (HANDLE, LPVOID, DWORD, \
            LPOVERLAPPED, void (*) (DWORD, DWORD, LPOVERLAPPED));
            """;

        assertEquals("""
            ABI_RETURN(CancelIoEx, WINBOOL)
            ABI_PARAM(CancelIoEx, 1, HANDLE)
            ABI_PARAM(CancelIoEx, 2, LPOVERLAPPED)
            ABI_RETURN(GetLastError, DWORD)
            ABI_RETURN_VOID(SetLastError)
            ABI_PARAM(SetLastError, 1, DWORD)
            ABI_RETURN(WaitForMultipleObjects, DWORD)
            ABI_PARAM(WaitForMultipleObjects, 1, DWORD)
            ABI_PARAM(WaitForMultipleObjects, 2, const HANDLE *)
            ABI_PARAM(WaitForMultipleObjects, 3, WINBOOL)
            ABI_PARAM(WaitForMultipleObjects, 4, DWORD)
            ABI_RETURN(ReadFileEx, WINBOOL)
            ABI_PARAM(ReadFileEx, 1, HANDLE)
            ABI_PARAM(ReadFileEx, 2, LPVOID)
            ABI_PARAM(ReadFileEx, 3, DWORD)
            ABI_PARAM(ReadFileEx, 4, LPOVERLAPPED)
            ABI_PARAM(ReadFileEx, 5, void (*) (DWORD, DWORD, LPOVERLAPPED))
            """, AbiProbe.signatures(auxInfo));
    }

    @Test
    void shouldRefuseOutputWithoutMarkers() {
        assertThrows(IllegalStateException.class, () -> AbiProbe.signatures("extern int f (void);\n"));
    }
}
