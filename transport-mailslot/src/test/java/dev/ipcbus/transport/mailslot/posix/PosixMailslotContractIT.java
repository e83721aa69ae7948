// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.testkit.TransportContract;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The conformance suite over the POSIX layer ({@code AF_UNIX} datagram sockets), in-JVM and across child JVMs.
 * <p>
 * The suite reclaims killed children before its leftover check, so that check also proves a killed node's socket
 * file is removed through {@code MailslotTransport.reclaim}. In {@code shouldTreatAPausedSubscriberAsAlive} a stopped
 * receiver queues only {@code net.unix.max_dgram_qlen} + 1 datagrams (11 by default): the publisher really blocks
 * and resumes when the receiver continues, within its publish timeout.
 */
@EnabledOnOs(OS.LINUX)
class PosixMailslotContractIT extends TransportContract {
    @Override
    protected String uri(final String busName) {
        return "mailslot://" + busName;
    }
}
