// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child JVM for cross-process transport tests: opens one inbox in the given directory, prints {@code READY <address>},
 * answers {@code count} with {@code COUNT <frames>}, and exits when its standard input closes (or is killed).
 * <p>
 * Arguments: the runtime directory, the node id in hex.
 */
public final class MailslotInboxChild {
    private MailslotInboxChild() {
    }

    /**
     * @param args runtime directory, node id in hex.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final AtomicLong frames = new AtomicLong();
        try (MailslotTransport transport = new MailslotTransport(
            PosixMailslotPlatform.create(Paths.get(args[0]), -1, Throwable::printStackTrace), node -> true,
            Throwable::printStackTrace, node -> InboxCounters.inMemory())) {
            final Inbox inbox = transport.openInbox(Long.parseUnsignedLong(args[1], 16),
                frame -> frames.incrementAndGet());
            System.out.println("READY " + inbox.address());
            System.out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("count")) {
                    System.out.println("COUNT " + frames.get());
                    System.out.flush();
                }
            }
        }
    }
}
