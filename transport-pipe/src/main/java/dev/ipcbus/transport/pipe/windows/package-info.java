// SPDX-License-Identifier: Apache-2.0
/**
 * The pipe transport's Windows layer (windows layer): message-mode named pipes, {@code \\.\pipe\ipcbus-<bus>-<node>}.
 * Only transport logic lives here: every Win32 call goes through {@link dev.ipcbus.platform.windows.Win32} (module
 * platform-windows), whose production implementation is JNA. Inboxes read with a thread per connected instance;
 * writers use overlapped writes bounded in time.
 * <p>
 * <b>Status: compiled, and tested on Linux against the fake of {@code Win32} and under Wine; not yet run on
 * Windows.</b>
 */
package dev.ipcbus.transport.pipe.windows;
