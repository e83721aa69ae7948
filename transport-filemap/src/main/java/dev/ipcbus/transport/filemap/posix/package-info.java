// SPDX-License-Identifier: Apache-2.0
/**
 * POSIX layer of the filemap transport (posix layer): segments are files in {@code /dev/shm} (or the bus's runtime
 * directory where there is no {@code /dev/shm}, e.g. macOS) mapped with {@code FileChannel.map}; the doorbell is a
 * futex on the segment's sequence word on Linux ({@code syscall(SYS_futex)} through JNA) and timed parking elsewhere.
 * Constant values are Linux's (x86_64 and aarch64); macOS needs none of them.
 */
package dev.ipcbus.transport.filemap.posix;
