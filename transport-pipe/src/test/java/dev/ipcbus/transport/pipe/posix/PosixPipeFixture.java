// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import io.netty.buffer.ByteBufAllocator;
import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.pipe.PipeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Builds POSIX pipe transports over a private runtime directory for integration tests, with a liveness view the test
 * controls, and checks that no socket file is left behind.
 */
final class PosixPipeFixture implements AutoCloseable {
    final Path runtimeDirectory;
    final Path fallbackDirectory;
    final Set<Long> dead = ConcurrentHashMap.newKeySet();
    /** Nodes owned by a child process: alive while that process is, as the registry's OS lock would say. */
    final Map<Long, Process> owners = new ConcurrentHashMap<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<PipeTransport> transports = new CopyOnWriteArrayList<>();

    PosixPipeFixture(final Path root) throws IOException {
        this.runtimeDirectory = Files.createDirectories(root.resolve("rt"));
        this.fallbackDirectory = root.resolve("fb");
    }

    PipeTransport transport(final int maxFrameLength) {
        return transport(maxFrameLength, PosixSocketPaths.maxPathBytes());
    }

    PipeTransport transport(final int maxFrameLength, final int maxPathBytes) {
        return transport(maxFrameLength, maxPathBytes, runtimeDirectory);
    }

    PipeTransport transport(final int maxFrameLength, final int maxPathBytes, final Path directory) {
        return transport(new PipeOptions(maxFrameLength, Duration.ofSeconds(2)), maxPathBytes, directory,
            ByteBufAllocator.DEFAULT);
    }

    PipeTransport transport(final int maxFrameLength, final Duration helloTimeout) {
        return transport(new PipeOptions(maxFrameLength, Duration.ofSeconds(2), helloTimeout),
            PosixSocketPaths.maxPathBytes(), runtimeDirectory, ByteBufAllocator.DEFAULT);
    }

    /** A transport whose inboxes take their receive buffers from {@code allocator}. */
    PipeTransport transport(final int maxFrameLength, final ByteBufAllocator allocator) {
        return transport(new PipeOptions(maxFrameLength, Duration.ofSeconds(2)), PosixSocketPaths.maxPathBytes(),
            runtimeDirectory, allocator);
    }

    private PipeTransport transport(final PipeOptions options, final int maxPathBytes, final Path directory,
        final ByteBufAllocator allocator) {
        final TransportContext context = new TransportContext("it", new TransportOptions(Map.of()), directory,
            this::isAlive, errors::add);
        final PipeTransport transport = new PipeTransport(context, options, new PosixPipePlatform(directory,
            context.busName(), fallbackDirectory, maxPathBytes, allocator, errors::add));
        transports.add(transport);
        return transport;
    }

    boolean isAlive(final long node) {
        final Process owner = owners.get(node);
        return !dead.contains(node) && (owner == null || owner.isAlive());
    }

    @Override
    public void close() throws IOException {
        for (final PipeTransport transport : transports) {
            transport.close();
        }
        assertNoSocketFiles(runtimeDirectory.getParent());
        assertNoSocketFiles(fallbackDirectory);
    }

    static void assertNoSocketFiles(final Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            assertEquals(List.of(), files.filter(path -> path.toString().endsWith(".sock")).toList(),
                "socket files left behind");
        }
    }

    /** Collects delivered frames as byte arrays. */
    static final class Collector implements dev.ipcbus.spi.FrameListener {
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(final ByteBuf frame) {
            frames.add(ByteBufUtil.getBytes(frame));
        }
    }
}
