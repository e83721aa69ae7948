// SPDX-License-Identifier: Apache-2.0
/**
 * The Wine test bed (test support, not shipped): runs the Windows layers' Win32 calls against Wine's real kernel
 * objects on Linux.
 * <p>
 * {@link dev.ipcbus.wine.WineSession} owns a private {@code WINEPREFIX} and its persistent {@code wineserver}.
 * {@link dev.ipcbus.wine.WineShim} builds {@code libkernel32.so}/{@code libadvapi32.so}, which stand in for the DLLs
 * when the production JNA binding loads them on Linux and forward each call to the JVM's own Wine bridge;
 * {@link dev.ipcbus.wine.WineWindowsLayer} runs a test class on the transports' Windows layers that way, on their
 * plain schemes. {@link dev.ipcbus.wine.Win32Bridge} is one Wine process (a mingw-built C program) that executes Win32
 * calls on request over loopback TCP, one connection and one bridge thread per concurrent call: the shim's transport,
 * and the tests' handle on other Windows processes. {@link dev.ipcbus.wine.WineAvailability} skips, with the reason,
 * every test that needs Wine where it is not installed. {@link dev.ipcbus.wine.WineFileMappings} backs named mappings
 * with files under {@code /dev/shm} so the JVM and the Wine process share the bytes.
 */
package dev.ipcbus.wine;
