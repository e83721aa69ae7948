// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code nats://} transport: the bus across machines on NATS, an engine-routed transport
 * ({@link dev.ipcbus.spi.EngineTransportProvider}). {@link dev.ipcbus.transport.nats.NatsTransportProvider} is the
 * entry point; {@code NatsWire} specifies how a message travels, {@code NatsSubjects} how topics become subjects,
 * {@code NatsOptions} the URI options.
 */
package dev.ipcbus.transport.nats;
