// SPDX-License-Identifier: Apache-2.0
/**
 * The node registry (api layer, platform-neutral): which nodes of a bus are alive, what each subscribes to and
 * responds to, and where its inbox is. Files in a per-user directory, liveness from an OS file lock, a mapped change
 * counter; see {@link dev.ipcbus.registry.FileNodeRegistry}.
 */
package dev.ipcbus.registry;
