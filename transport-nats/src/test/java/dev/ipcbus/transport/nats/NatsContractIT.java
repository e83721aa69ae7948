// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import dev.ipcbus.Bus;
import dev.ipcbus.spi.EngineMessage;
import dev.ipcbus.testkit.TransportContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * The conformance suite over {@code nats://} on one real {@code nats-server}. The cases that assume an inbox
 * transport (a file registry, inboxes a foreign writer can reach, backpressure, a dead responder noticed by the
 * registry) skip, each with its reason. Skipped where {@code nats-server} is not
 * installed.
 */
class NatsContractIT extends TransportContract {
    private static NatsServers servers;
    private static NatsServers.Server server;

    @BeforeAll
    static void startServer() {
        NatsServers.assumeInstalled();
        servers = new NatsServers();
        server = servers.startOne();
    }

    @AfterAll
    static void stopServer() {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    protected String uri(final String busName) {
        return "nats://" + server.address() + "/" + busName;
    }

    @Override
    protected boolean engineRouted() {
        return true;
    }

    /** The server's max_payload less a raw publish's headers: sender, content type (the kit's buses do not stamp). */
    @Override
    protected int maxRawPayload(final Bus bus, final String topic) {
        final EngineMessage probe = EngineMessage.of(topic, bus.nodeId(), 0, false, Map.of(), new byte[0]);
        return bus.maxFrameLength() - NatsWire.headers(probe).getSerialized().length;
    }
}
