// SPDX-License-Identifier: Apache-2.0
/**
 * {@link dev.ipcbus.bridge.BusBridge}: joins a local bus to a remote one (typically {@code nats://}) for the topics and
 * request topics configured, without loops or duplicates.
 */
package dev.ipcbus.bridge;
