// SPDX-License-Identifier: Apache-2.0
/**
 * Platform-neutral core of the filemap transport (core layer): the shared segment layout
 * ({@link dev.ipcbus.transport.filemap.core.SegmentDescriptor},
 * {@link dev.ipcbus.transport.filemap.core.RecordDescriptor}),
 * the one class doing ordered access to shared memory ({@link dev.ipcbus.transport.filemap.core.SharedRegion}), the
 * many-to-one ring, the doorbell contract, idle strategies, and the {@link dev.ipcbus.spi.Transport} built on them.
 * <p>
 * Nothing here touches JNA or an OS API: the {@code posix} and {@code windows} packages supply the mapped memory and
 * the doorbell through {@link dev.ipcbus.transport.filemap.core.FilemapPlatform}.
 */
package dev.ipcbus.transport.filemap.core;
