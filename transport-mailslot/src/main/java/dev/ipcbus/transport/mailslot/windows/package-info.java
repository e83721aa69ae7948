// SPDX-License-Identifier: Apache-2.0
/**
 * Windows layer of the mailslot transport: each slot is a Win32 mailslot named
 * {@code \\.\mailslot\ipcbus\<bus>\<node hex>}, created for the current user only and read by its owner; writers open
 * it with {@code CreateFileW} and write one message per frame.
 * <p>
 * Only transport logic lives here: every Win32 call goes through {@link dev.ipcbus.platform.windows.Win32} (module
 * platform-windows), whose production implementation is JNA, so the same code is driven by its fake in unit tests and
 * against Wine in the test bed.
 */
package dev.ipcbus.transport.mailslot.windows;
