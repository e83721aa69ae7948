/**
 * The frame format (api layer): {@link dev.ipcbus.frame.FrameDescriptor} documents the layout, the encoder writes
 * frames into pooled Netty buffers and {@link dev.ipcbus.frame.FrameFlyweight} reads and validates them.
 * {@code docs/PROTOCOL.md} specifies the same format for implementers in other languages.
 */
package dev.ipcbus.frame;
