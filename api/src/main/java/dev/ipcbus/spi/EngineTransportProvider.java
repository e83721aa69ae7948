// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

/**
 * A provider whose transport is an <em>engine-routed</em> one: an external messaging engine (NATS) routes messages by
 * topic, matches patterns, balances requests over responders and answers "no responders" itself. Nodes then own no
 * inbox, are not listed in the file registry, and the core sends each message once to the engine instead of once per
 * receiving node. Contrast with an <em>inbox</em> transport ({@link Transport}): every node owns an inbox in a
 * per-user registry and the core routes.
 * <p>
 * Found with {@link java.util.ServiceLoader} like every {@link TransportProvider}; the core recognises this subtype
 * and calls {@link #createEngine(EngineContext)} instead of {@link #create(TransportContext)}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface EngineTransportProvider extends TransportProvider {
    /**
     * Connects one bus node to the engine. The provider reads its own options from {@link EngineContext#options()};
     * the core rejects any option nobody read.
     *
     * @param context the bus name, servers, options and the node's identity.
     * @return a connected transport, owned by the caller.
     * @throws dev.ipcbus.ConfigurationException        if the servers or an option are malformed.
     * @throws dev.ipcbus.TransportUnavailableException if the engine cannot be reached or refuses the credentials.
     */
    EngineTransport createEngine(EngineContext context);

    /**
     * An engine-routed transport has no inboxes.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    default Transport create(final TransportContext context) {
        throw new UnsupportedOperationException("engine-routed transport has no inboxes: scheme=" + scheme()
            + " (the core calls createEngine)");
    }
}
