// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code mailslot://} transport, its public face (api layer of this module): the provider found by
 * {@link java.util.ServiceLoader} and the URI options.
 * <p>
 * Each node's inbox is a slot only it reads; a publisher writes one datagram per frame into the slot of every node
 * whose subscriptions match, without a connection. Windows uses mailslots, POSIX (Linux) uses {@code AF_UNIX}
 * datagram sockets. See {@code docs/MAILSLOT.md}.
 */
package dev.ipcbus.transport.mailslot;
