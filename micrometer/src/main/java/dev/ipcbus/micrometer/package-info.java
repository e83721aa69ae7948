// SPDX-License-Identifier: Apache-2.0
/**
 * Micrometer metrics of a {@link dev.ipcbus.Bus} node: {@link dev.ipcbus.micrometer.IpcbusMetrics}.
 */
package dev.ipcbus.micrometer;
