// SPDX-License-Identifier: Apache-2.0
/**
 * Windows layer of the filemap transport (windows layer): segments are pagefile-backed named file mappings in the
 * {@code Local\} namespace, the doorbell is a named auto-reset event, and both carry the current-user-only descriptor.
 * Only transport logic lives here: every Win32 call goes through {@link dev.ipcbus.platform.windows.Win32}
 * (module platform-windows), whose production implementation is JNA, so the same code is driven by its fake in unit
 * tests and against Wine in the test bed.
 */
package dev.ipcbus.transport.filemap.windows;
