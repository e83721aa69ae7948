// SPDX-License-Identifier: Apache-2.0
/**
 * The transport conformance kit: the contract every transport passes ({@link dev.ipcbus.testkit.TransportContract},
 * subclassed once per transport and OS layer), the chaos soak ({@link dev.ipcbus.testkit.TransportChaosTest}), nodes
 * in child JVMs for cross-process cases ({@link dev.ipcbus.testkit.ChildJvm}, {@link dev.ipcbus.testkit.ChildNode})
 * and a Netty leak check ({@link dev.ipcbus.testkit.LeakCheck}, registered by the modules that want it).
 * <p>
 * A test library: depend on {@code ipcbus-testkit} in test scope. Nothing in it names a transport.
 */
package dev.ipcbus.testkit;
