// SPDX-License-Identifier: Apache-2.0
/**
 * Cross-process benchmarks: ipcbus over {@code filemap://} (raw and Jackson paths through {@link dev.ipcbus.Bus})
 * against Aeron IPC, measured in the same run. Entry point: {@link dev.ipcbus.bench.IpcBench}.
 */
package dev.ipcbus.bench;
