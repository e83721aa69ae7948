// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code inproc://} transport (api layer): nodes in one JVM, for applications' unit tests and for the core's own.
 */
package dev.ipcbus.inproc;
