// SPDX-License-Identifier: Apache-2.0
/**
 * The filemap transport (api layer of this module): the provider registered for the {@code filemap://} scheme, the
 * default transport of ipcbus, and its options.
 * <p>
 * Each node's inbox is a shared-memory ring buffer that any node of the same user may append to and only its owner
 * reads, plus a doorbell the owner sleeps on when idle. See {@link dev.ipcbus.transport.filemap.FilemapOptions} for the
 * URI options and {@code docs/FILEMAP.md} for the design.
 */
package dev.ipcbus.transport.filemap;
