// SPDX-License-Identifier: Apache-2.0
/**
 * POSIX layer of the mailslot transport: each slot is an {@code AF_UNIX} {@code SOCK_DGRAM} socket bound at
 * {@code <runtime directory>/<node>.sock}, reached through JNA (the JDK has no Unix datagram channel).
 * <p>
 * The raw bindings ({@code LibCSocket}) and their checked wrapper ({@code LibCSocketCalls}) are package-private;
 * {@link dev.ipcbus.transport.mailslot.posix.PosixMailslotPlatform} is this layer's face to the core and
 * {@link dev.ipcbus.transport.mailslot.posix.PosixMailslotPlatform#unavailabilityCause()} its availability probe.
 * <p>
 * Constant values (socket options, flags, errno) are Linux's ({@code LinuxSocketConstants}), identical on x86_64
 * and aarch64; the layer refuses to run on other POSIX systems until their values are added and tested.
 */
package dev.ipcbus.transport.mailslot.posix;
