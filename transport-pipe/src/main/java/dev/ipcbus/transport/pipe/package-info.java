// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code pipe://} transport (api layer of this module): its {@link dev.ipcbus.transport.pipe.PipeTransportProvider}
 * and {@link dev.ipcbus.transport.pipe.PipeOptions}. Each node's inbox is a pipe server that accepts any number of
 * writer connections; an outlet is a client connection to another node's inbox, kept and reused. Message boundaries
 * hold on every OS: message-mode named pipes on Windows, length-prefixed records over Unix domain stream sockets on
 * POSIX. See {@code docs/PIPE.md}.
 */
package dev.ipcbus.transport.pipe;
