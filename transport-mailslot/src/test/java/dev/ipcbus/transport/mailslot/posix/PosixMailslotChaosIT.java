// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.testkit.TransportChaosTest;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The chaos soak over {@code mailslot://} on the POSIX layer: publishers, subscribers, a responder and a requester in child
 * JVMs, killed with {@code kill -9} and replaced while they run.
 */
@DisabledOnOs(OS.WINDOWS)
class PosixMailslotChaosIT extends TransportChaosTest {
    @Override
    protected String uri(final String busName) {
        return "mailslot://" + busName;
    }
}
