/**
 * Windows layer of the mailslot transport: each slot is a Win32 mailslot named
 * {@code \\.\mailslot\ipcbus\<bus>\<node hex>}, created for the current user only and read by its owner; writers open
 * it with {@code CreateFile} and write one message per frame.
 * <p>
 * Every Win32 call goes through the narrow {@link dev.ipcbus.transport.mailslot.windows.Win32MailslotApi}, whose
 * production implementation is JNA (jna-platform's {@code Kernel32} where it has the call, the package-private
 * {@code Kernel32Mailslot} for the mailslot functions it lacks), so the same code can be driven against another
 * implementation of the Win32 calls (a fake in unit tests, Wine later).
 * <p>
 * Status: compiled, unit-tested off Windows through a fake of the narrow interface; not yet run on Windows.
 */
package dev.ipcbus.transport.mailslot.windows;
