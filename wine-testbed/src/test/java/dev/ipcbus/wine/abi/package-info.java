// SPDX-License-Identifier: Apache-2.0
/**
 * The ABI check of platform-windows (tests of the test bed): {@link dev.ipcbus.wine.abi.AbiProbe} builds the mingw
 * probe {@code abiprobe.c} and runs it under Wine, {@link dev.ipcbus.wine.abi.AbiComparator} holds the JNA
 * declarations to what it read from mingw-w64's Windows headers and import libraries (types as JNA passes them on
 * Win64: {@link dev.ipcbus.wine.abi.Win64Jna}), and {@link dev.ipcbus.wine.abi.DescriptorCheck} judges the security
 * descriptors it ran through Windows' own checks. Only the probe run needs Wine; the comparator is plain Java.
 */
package dev.ipcbus.wine.abi;
