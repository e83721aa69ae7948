// SPDX-License-Identifier: Apache-2.0
/**
 * Codecs (api layer): Jackson-based serialization of messages into frame payloads.
 */
package dev.ipcbus.codec;
