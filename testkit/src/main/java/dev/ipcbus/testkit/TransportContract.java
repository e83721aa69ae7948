// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

/**
 * The conformance contract every transport passes: subclass it once per transport and OS layer, name the URI, and
 * override the hooks of {@link ContractFixture} where the transport differs.
 * <pre>{@code
 * class PosixPipeContractIT extends TransportContract {
 *     protected String uri(String busName) { return "pipe://" + busName; }
 * }
 * }</pre>
 * The cases are grouped by concern in the classes this one extends, one chain so that every case runs, and is
 * reported, as a case of the transport's own class: publish/subscribe, request/reply, limits, integrity, nodes,
 * security, across processes, crashes while starting. Cross-process cases start {@link ChildNode}s in child JVMs; a
 * transport that cannot cross processes returns {@code false} from {@link #crossProcess()}, an engine-routed one
 * {@code true} from {@link #engineRouted()}: the cases that need what it lacks skip, each with its reason.
 */
public abstract class TransportContract extends StartupCrashContract {
}
