// SPDX-License-Identifier: Apache-2.0
/**
 * The frame format (api layer): {@link dev.ipcbus.frame.FrameDescriptor} documents the layout,
 * {@link dev.ipcbus.frame.FrameEncoder} writes frames into Netty buffers (appending, or at an absolute index from a
 * per-topic template) and {@link dev.ipcbus.frame.FrameFlyweight} reads and validates them.
 * {@code docs/PROTOCOL.md} specifies the same format for implementers in other languages.
 */
package dev.ipcbus.frame;
