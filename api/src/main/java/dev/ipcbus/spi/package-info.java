// SPDX-License-Identifier: Apache-2.0
/**
 * The transport SPI (api layer): what a transport implements so that the bus core can carry frames over it.
 * <p>
 * A transport provides, per node, an {@link dev.ipcbus.spi.Inbox} that only that node reads and any node may write
 * to, and {@link dev.ipcbus.spi.Outlet}s that write frames into another node's inbox, either as finished bytes or, for
 * outlets that can, encoded in place by a {@link dev.ipcbus.spi.FrameWriter}. Everything else (the node
 * registry, routing, request/reply, codecs) lives in the core and is shared by every transport. Providers are found
 * with {@link java.util.ServiceLoader} by URI scheme; see {@link dev.ipcbus.spi.TransportProvider}.
 */
package dev.ipcbus.spi;
