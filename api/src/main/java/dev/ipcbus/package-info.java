// SPDX-License-Identifier: Apache-2.0
/**
 * The ipcbus API (api layer): {@link dev.ipcbus.Bus} and its configuration, handlers, message metadata, topic rules
 * and the exceptions. Everything an application needs; nothing here touches the OS.
 */
package dev.ipcbus;
