// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.FilemapTransportProvider;
import dev.ipcbus.transport.filemap.core.RecordDescriptor;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;
import dev.ipcbus.transport.filemap.core.SharedRegion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the cross-process tests. Run as
 * {@code java -cp <test class path> dev.ipcbus.transport.filemap.posix.FilemapChild <mode> <runtimeDir> <bus> ...}:
 * <ul>
 *   <li>{@code writer <runtimeDir> <bus> <targetNodeHex> <address> <writerId> <count>}: sends {@code count} frames
 *   {@code [writerId, seq]} (0 = until killed), prints {@code READY} first and {@code DONE} at the end.</li>
 *   <li>{@code stall <runtimeDir> <bus> <targetNodeHex> <address>}: sends 3 frames, then claims a record, writes part
 *   of it, prints {@code CLAIMED} and sleeps until killed (a writer killed between claim and publish).</li>
 *   <li>{@code init <segmentPath> <startAtEpochMillis>}: maps an existing zero-filled file, waits for the start time,
 *   races to initialize it as a 64 KiB segment and prints {@code OUTCOME INITIALIZED} or {@code OUTCOME JOINED}.</li>
 *   <li>{@code reader <runtimeDir> <bus> <nodeHex>}: opens an inbox, prints {@code ADDRESS <address>} and sleeps
 *   until killed.</li>
 * </ul>
 * Reads no {@code -D} property. Exits by itself after 60 s at the latest.
 */
public final class FilemapChild {
    private FilemapChild() {
    }

    /**
     * @param args see the class doc.
     * @throws Exception on any failure (the parent sees the exit code and stderr).
     */
    public static void main(final String[] args) throws Exception {
        final Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (final InterruptedException ignored) {
                return;
            }
            Runtime.getRuntime().halt(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        final String mode = args[0];
        if (mode.equals("init")) {
            initialize(args[1], Long.parseLong(args[2]));
            System.out.flush();
            System.exit(0);
        }
        final Path runtime = Paths.get(args[1]);
        final String bus = args[2];
        final TransportContext context = new TransportContext(bus,
            new TransportOptions(Map.of("stallTimeout", "300ms")), runtime, node -> true,
            error -> System.err.println("child error: " + error));
        try (Transport transport = new FilemapTransportProvider().create(context)) {
            switch (mode) {
                case "writer":
                    write(transport, NodeIds.parse(args[3]), args[4], Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]));
                    break;
                case "stall":
                    stall(transport, NodeIds.parse(args[3]), args[4]);
                    break;
                case "reader":
                    read(transport, NodeIds.parse(args[3]));
                    break;
                default:
                    throw new IllegalArgumentException("mode=" + mode);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static void write(final Transport transport, final long node, final String address, final int writerId,
        final int count) {
        final Outlet outlet = transport.openOutlet(node, address);
        final ByteBuf frame = Unpooled.directBuffer(64);
        System.out.println("READY");
        System.out.flush();
        for (int seq = 0; count == 0 || seq < count; seq++) {
            frame.clear();
            frame.writeIntLE(writerId);
            frame.writeIntLE(seq);
            frame.writeZero(8 + (seq % 5) * 8);
            final int result = outlet.offer(frame, TimeUnit.SECONDS.toNanos(20));
            if (result != Outlet.SENT) {
                System.out.println("FAILED " + result + " at " + seq);
                return;
            }
        }
        frame.release();
        System.out.println("DONE");
    }

    private static void stall(final Transport transport, final long node, final String address) throws Exception {
        final Outlet outlet = transport.openOutlet(node, address);
        for (int seq = 0; seq < 3; seq++) {
            final ByteBuf frame = Unpooled.buffer(8);
            frame.writeIntLE(7).writeIntLE(seq);
            outlet.offer(frame, TimeUnit.SECONDS.toNanos(5));
        }
        // A second mapping of the same segment, to claim a record the way ManyToOneRing does, then stop before the
        // publish.
        final SharedRegion region = mapRaw(address);
        final long tail = region.getLongVolatile(SegmentDescriptor.TAIL_OFFSET);
        if (!region.compareAndSetLong(SegmentDescriptor.TAIL_OFFSET, tail, tail + 64)) {
            throw new IllegalStateException("lost the claim race");
        }
        final int at = SegmentDescriptor.HEADER_LENGTH + (int) (tail & (region.getInt(
            SegmentDescriptor.CAPACITY_OFFSET) - 1));
        if (!region.compareAndSetLong(at + RecordDescriptor.LENGTH_OFFSET, 0,
            RecordDescriptor.claimMark(60, (int) ProcessHandle.current().pid()))) {
            throw new IllegalStateException("claimed record was not free");
        }
        region.putLong(at + 8, 0x1122334455667788L);
        System.out.println("CLAIMED " + tail);
        System.out.flush();
        Thread.sleep(60_000);
    }

    private static void initialize(final String path, final long startAtMillis) throws Exception {
        final SharedRegion region = mapRaw(path);
        System.out.println("MAPPED");
        System.out.flush();
        while (System.currentTimeMillis() < startAtMillis) {
            Thread.onSpinWait();
        }
        final long pid = ProcessHandle.current().pid();
        final int outcome = dev.ipcbus.transport.filemap.core.SegmentHeader.initialize(region, 64 * 1024, pid, pid,
            TimeUnit.SECONDS.toNanos(10), path);
        System.out.println("OUTCOME " + (outcome == dev.ipcbus.transport.filemap.core.SegmentHeader.INITIALIZED
            ? "INITIALIZED" : "JOINED") + " " + dev.ipcbus.transport.filemap.core.SegmentHeader.validate(region, path));
    }

    private static SharedRegion mapRaw(final String address) throws Exception {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Paths.get(address),
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            return new SharedRegion(channel.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, channel.size()));
        }
    }

    private static void read(final Transport transport, final long node) throws Exception {
        final Inbox inbox = transport.openInbox(node, frame -> { });
        System.out.println("ADDRESS " + inbox.address());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
