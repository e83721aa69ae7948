// SPDX-License-Identifier: Apache-2.0
/**
 * The one Win32 binding of ipcbus (windows layer): every kernel32/advapi32 function the transports' Windows layers
 * call, declared once, and what they share on top of it. Nothing Win32 is declared anywhere else.
 * <h2>Raw declarations (JNA, real export names, no function mapper)</h2>
 * <ul>
 *   <li>{@link dev.ipcbus.platform.windows.Kernel32} (kernel32.dll): {@code CreateNamedPipeW},
 *   {@code ConnectNamedPipe}, {@code DisconnectNamedPipe}, {@code WaitNamedPipeW}, {@code SetNamedPipeHandleState},
 *   {@code PeekNamedPipe},
 *   {@code CreateFileW}, {@code ReadFile}, {@code WriteFile}, {@code GetOverlappedResult}, {@code CancelIoEx},
 *   {@code CreateEventW}, {@code OpenEventW}, {@code SetEvent}, {@code WaitForSingleObject}, {@code CloseHandle},
 *   {@code CreateFileMappingW}, {@code OpenFileMappingW}, {@code MapViewOfFile}, {@code UnmapViewOfFile},
 *   {@code CreateMailslotW}, {@code GetMailslotInfo}, {@code SetMailslotInfo}, {@code GetCurrentProcess},
 *   {@code LocalFree}, {@code FormatMessageW}.</li>
 *   <li>{@link dev.ipcbus.platform.windows.Advapi32} (advapi32.dll): {@code OpenProcessToken},
 *   {@code GetTokenInformation}, {@code ConvertSidToStringSidW},
 *   {@code ConvertStringSecurityDescriptorToSecurityDescriptorW}.</li>
 *   <li>Structures: {@link dev.ipcbus.platform.windows.OVERLAPPED},
 *   {@link dev.ipcbus.platform.windows.SECURITY_ATTRIBUTES}, {@link dev.ipcbus.platform.windows.TOKEN_USER},
 *   {@link dev.ipcbus.platform.windows.SID_AND_ATTRIBUTES}; pointer-width integers
 *   {@link dev.ipcbus.platform.windows.SIZE_T} and {@link dev.ipcbus.platform.windows.ULONG_PTR}.</li>
 *   <li>Constants: {@link dev.ipcbus.platform.windows.Win32Constants} (flags, access rights, {@code WAIT_*},
 *   {@code TOKEN_QUERY}, {@code TokenUser}, {@code SDDL_REVISION_1}, {@code FORMAT_MESSAGE_*},
 *   {@code SECURITY_SQOS_PRESENT}, {@code SECURITY_IDENTIFICATION}) and
 *   {@link dev.ipcbus.platform.windows.WinError} (the {@code ERROR_*} codes).</li>
 * </ul>
 * Type rules: {@code HANDLE}/pointers are {@code Pointer}; {@code DWORD}/{@code UINT}/{@code LONG} are {@code int};
 * {@code BOOL} is {@code boolean} (4 bytes); {@code LPCWSTR} is {@code WString}; {@code LPDWORD}/{@code PULONG} are
 * {@code IntByReference}; {@code SIZE_T}/{@code ULONG_PTR} are pointer-width; never {@code NativeLong}.
 * <h2>What the transports use</h2>
 * {@link dev.ipcbus.platform.windows.Win32}: the Java-facing interface (Win32 names, handles as {@code long}, one
 * error convention: each call returns what Win32 returns, then {@code GetLastError()}); its JNA implementation
 * {@link dev.ipcbus.platform.windows.JnaWin32}; checked calls ({@link dev.ipcbus.platform.windows.Win32Exception});
 * the current-user security descriptor ({@link dev.ipcbus.platform.windows.CurrentUserSecurity}); the OS probe
 * ({@link dev.ipcbus.platform.windows.WindowsPlatform}). The test-jar has the one fake, {@code FakeWin32}.
 * <p>
 * Verified on Linux: the JNA classes run unchanged against Wine through the test bed's shim libraries, and every
 * declaration is compared with mingw-w64's Windows headers (docs/WINDOWS.md says what only real Windows can show).
 */
package dev.ipcbus.platform.windows;
