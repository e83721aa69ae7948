// SPDX-License-Identifier: Apache-2.0
/**
 * The pipe transport's platform-neutral core (core layer): the wire layouts ({@link
 * dev.ipcbus.transport.pipe.core.PipeRecordDescriptor}, {@link dev.ipcbus.transport.pipe.core.PipeHelloDescriptor}),
 * the bounded record reassembly of a byte stream ({@link dev.ipcbus.transport.pipe.core.RecordAssembler}), the outlet
 * logic shared by both OS layers (lock, connect and reconnect, liveness polling while waiting: {@link
 * dev.ipcbus.transport.pipe.core.PipeOutlet}) and the inbox counters. Nothing here touches JNA or an OS-specific
 * call.
 */
package dev.ipcbus.transport.pipe.core;
