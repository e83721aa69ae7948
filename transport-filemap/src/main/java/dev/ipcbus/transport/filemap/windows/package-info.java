/**
 * Windows layer of the filemap transport (windows layer): segments are pagefile-backed named file mappings in the
 * {@code Local\} namespace, the doorbell is a named auto-reset event, and both carry a DACL admitting only the current
 * user. Every Win32 call goes through {@link dev.ipcbus.transport.filemap.windows.Win32FileMapApi}, whose production
 * implementation is JNA, so the same code can be driven by a fake in unit tests or by a bridge to Wine.
 * <p>
 * Compiled and unit-tested through a fake of the API; not yet run on Windows.
 */
package dev.ipcbus.transport.filemap.windows;
