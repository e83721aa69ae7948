// SPDX-License-Identifier: Apache-2.0
/**
 * Core layer of the mailslot transport: the platform-neutral logic both OS layers share.
 * <p>
 * The {@link dev.ipcbus.transport.mailslot.core.MailslotTransport} implements the SPI over a
 * {@link dev.ipcbus.transport.mailslot.core.MailslotPlatform} (one per OS layer): the receive loop that turns one
 * datagram into one frame ({@link dev.ipcbus.transport.mailslot.core.ReceiveLoop}), the outlet's wait-and-retry rules
 * ({@link dev.ipcbus.transport.mailslot.core.MailslotOutlet}), the sizing rules
 * ({@link dev.ipcbus.transport.mailslot.core.MailslotSizing}) and the inbox counters. Nothing here touches JNA.
 */
package dev.ipcbus.transport.mailslot.core;
