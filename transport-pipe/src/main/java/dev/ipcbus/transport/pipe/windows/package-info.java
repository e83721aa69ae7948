/**
 * The pipe transport's Windows layer (windows layer): message-mode named pipes, {@code \\.\pipe\ipcbus-<bus>-<node>}.
 * Every Win32 call goes through the narrow {@link dev.ipcbus.transport.pipe.windows.Win32PipeApi}, whose production
 * implementation is JNA ({@link dev.ipcbus.transport.pipe.windows.JnaWin32PipeApi}: jna-platform's
 * {@code Kernel32}/{@code Advapi32} plus package-private declarations for what they lack). Inboxes read with a
 * thread per connected instance; writers use overlapped writes bounded in time.
 * <p>
 * <b>Status: compiled, and tested on Linux against an in-memory fake of {@code Win32PipeApi}; not yet run on
 * Windows.</b>
 */
package dev.ipcbus.transport.pipe.windows;
