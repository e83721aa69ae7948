// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.spi.InboxCounters;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ipcbus.Bus;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.mailslot.core.MailslotTransport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The other process of {@link MailslotBenchmark}; not a test. Modes:
 * <ul>
 *   <li>{@code raw-echo <own path> <peer path> <size>}: binds an {@code AF_UNIX} datagram socket, echoes every
 *   datagram back to the peer (no bus).</li>
 *   <li>{@code transport-echo <directory> <own node hex> <peer address>}: an inbox of the mailslot transport (no
 *   bus core) whose frames go straight back through an outlet to the peer.</li>
 *   <li>{@code bus-echo <uri>}: republishes every {@code bench.ping} payload on {@code bench.pong}.</li>
 *   <li>{@code bus-sink <uri> <count>}: counts {@code bench.fan} messages, prints {@code DONE} after
 *   {@code count}.</li>
 * </ul>
 * Prints {@code READY} when set up; exits when its standard input closes.
 */
public final class MailslotBenchChild {
    private MailslotBenchChild() {
    }

    /**
     * @param args mode and arguments.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        switch (args[0]) {
            case "raw-echo":
                rawEcho(args[1], args[2], Integer.parseInt(args[3]));
                break;
            case "transport-echo":
                transportEcho(args[1], args[2], args[3]);
                break;
            case "bus-echo":
                try (Bus bus = Bus.open(args[1])) {
                    bus.subscribeRaw("bench.ping", (payload, context) -> bus.publishRaw("bench.pong", payload));
                    ready();
                    waitForStdin();
                }
                break;
            case "bus-sink":
                final long expected = Long.parseLong(args[2]);
                final AtomicLong count = new AtomicLong();
                try (Bus bus = Bus.open(args[1])) {
                    bus.subscribeRaw("bench.fan", (payload, context) -> {
                        if (count.incrementAndGet() == expected) {
                            System.out.println("DONE " + expected);
                            System.out.flush();
                        }
                    });
                    ready();
                    waitForStdin();
                }
                break;
            default:
                throw new IllegalArgumentException("unknown mode: " + args[0]);
        }
    }

    private static void rawEcho(final String own, final String peer, final int size) throws Exception {
        final int fd = LibCSocketCalls.socket();
        LibCSocketCalls.bind(fd, Paths.get(own));
        final Thread echo = new Thread(() -> {
            final Memory buffer = new Memory(size + 1);
            final long address = Pointer.nativeValue(buffer);
            final int out = LibCSocketCalls.socket();
            while (LibCSocketCalls.connect(out, Paths.get(peer)) != 0) {
                Thread.onSpinWait();
            }
            while (true) {
                final long length = LibCSocketCalls.recv(fd, address, size + 1, 0);
                if (length <= 0) {
                    return;
                }
                LibCSocketCalls.send(out, address, length, 0);
            }
        }, "raw-echo");
        echo.setDaemon(true);
        echo.start();
        ready();
        waitForStdin();
        LibCSocketCalls.shutdown(fd);
        java.nio.file.Files.deleteIfExists(Paths.get(own));
    }

    private static void transportEcho(final String directory, final String node, final String peer)
        throws Exception {
        try (MailslotTransport transport = new MailslotTransport(
            PosixMailslotPlatform.create(Paths.get(directory), -1, Throwable::printStackTrace), id -> true,
            Throwable::printStackTrace, id -> InboxCounters.inMemory())) {
            final Outlet[] back = new Outlet[1];
            transport.openInbox(Long.parseUnsignedLong(node, 16), frame -> {
                if (back[0] == null) {
                    back[0] = transport.openOutlet(1, peer);
                }
                back[0].offer(frame, TimeUnit.SECONDS.toNanos(5));
            });
            ready();
            waitForStdin();
        }
    }

    private static void ready() {
        System.out.println("READY");
        System.out.flush();
    }

    private static void waitForStdin() throws Exception {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            Thread.onSpinWait();
        }
    }
}
