// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.nats;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real {@code nats-server} processes for the tests: one server, or a cluster of servers joined by routes, each on free
 * loopback ports with its own temporary directory, stopped (and their directories deleted) by {@link #close()}.
 * Tests that need a server call {@link #assumeInstalled()} first: without the binary they skip with the reason.
 * <p>
 * <b>Thread safety:</b> not thread-safe; one per test class.
 */
final class NatsServers implements AutoCloseable {
    /** Where Debian's package puts the server. */
    private static final String[] CANDIDATES = {"/usr/sbin/nats-server", "/usr/bin/nats-server",
        "/usr/local/bin/nats-server"};
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final List<Server> servers = new ArrayList<>();

    /** One server process. */
    static final class Server {
        final int port;
        final int clusterPort;
        final Path directory;
        final List<String> extraArguments;
        Process process;
        /** Counted down for every route this server connected. */
        volatile CountDownLatch routes = new CountDownLatch(0);

        Server(final int port, final int clusterPort, final Path directory, final List<String> extraArguments) {
            this.port = port;
            this.clusterPort = clusterPort;
            this.directory = directory;
            this.extraArguments = extraArguments;
        }

        /**
         * @return {@code 127.0.0.1:port}.
         */
        String address() {
            return "127.0.0.1:" + port;
        }
    }

    /**
     * @return the server binary, or {@code null}.
     */
    static Path binary() {
        for (final String candidate : CANDIDATES) {
            if (new File(candidate).canExecute()) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    /**
     * Skips the calling test, with the reason, where {@code nats-server} is not installed.
     */
    static void assumeInstalled() {
        Assumptions.assumeTrue(binary() != null, "nats-server not installed (Debian: apt-get install nats-server;"
            + " .ci/run installs it)");
    }

    /**
     * Starts one server.
     *
     * @param extraArguments more {@code nats-server} arguments (authentication, limits).
     * @return the server.
     */
    Server startOne(final String... extraArguments) {
        final Server server = new Server(freePort(), 0, temporaryDirectory(), List.of(extraArguments));
        servers.add(server);
        start(server, List.of());
        return server;
    }

    /**
     * Starts {@code size} servers joined in one cluster by routes (each routes to all the others).
     *
     * @param size how many.
     * @return the servers, in order.
     */
    List<Server> startCluster(final int size) {
        final List<Server> cluster = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            cluster.add(new Server(freePort(), freePort(), temporaryDirectory(), List.of()));
        }
        servers.addAll(cluster);
        for (final Server server : cluster) {
            start(server, cluster);
        }
        awaitRoutes(cluster);
        return cluster;
    }

    /**
     * Starts a stopped server again on the same ports.
     *
     * @param server the server.
     * @param cluster its cluster, or an empty list.
     */
    void restart(final Server server, final List<Server> cluster) {
        start(server, cluster);
        awaitRoutes(List.of(server));
    }

    private static void awaitRoutes(final List<Server> cluster) {
        for (final Server server : cluster) {
            try {
                if (!server.routes.await(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("nats-server routes not connected within " + START_TIMEOUT_MILLIS
                        + " ms: port=" + server.port + ", log=" + tail(server));
                }
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private void start(final Server server, final List<Server> cluster) {
        final Path binary = binary();
        if (binary == null) {
            throw new IllegalStateException("nats-server not installed");
        }
        final List<String> command = new ArrayList<>(List.of(binary.toString(), "-a", "127.0.0.1", "-p",
            Integer.toString(server.port)));
        if (server.clusterPort != 0) {
            command.addAll(List.of("--cluster_name", "ipcbus-test", "--cluster",
                "nats://127.0.0.1:" + server.clusterPort));
            final List<String> routes = new ArrayList<>();
            for (final Server other : cluster) {
                if (other != server) {
                    routes.add("nats://127.0.0.1:" + other.clusterPort);
                }
            }
            command.addAll(List.of("--routes", String.join(",", routes)));
        }
        command.addAll(server.extraArguments);
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch routed = new CountDownLatch(Math.max(0, cluster.size() - 1));
        server.routes = routed;
        try {
            server.process = new ProcessBuilder(command).directory(server.directory.toFile())
                .redirectErrorStream(true).start();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // The server logs to stderr; "Server is ready" is its handshake. Every line goes to server.log.
        final Process process = server.process;
        final Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer log = Files.newBufferedWriter(server.directory.resolve("server.log"),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.write(line);
                    log.write('\n');
                    log.flush();
                    if (line.contains("Server is ready")) {
                        ready.countDown();
                    } else if (line.contains("Route connection created")) {
                        routed.countDown();
                    }
                }
            } catch (final IOException ignored) {
                // the process is gone
            }
        }, "nats-server-" + server.port);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("nats-server not ready within " + START_TIMEOUT_MILLIS
                    + " ms: port=" + server.port + ", alive=" + process.isAlive() + ", log=" + tail(server));
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String tail(final Server server) {
        try {
            final List<String> lines = Files.readAllLines(server.directory.resolve("server.log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (final IOException ex) {
            return "(no log)";
        }
    }

    /**
     * Kills a server at once ({@code SIGKILL}) and waits for it to exit.
     *
     * @param server the server.
     */
    void kill(final Server server) {
        server.process.destroyForcibly();
        try {
            server.process.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (final Server server : servers) {
            if (server.process != null && server.process.isAlive()) {
                server.process.destroy();
                try {
                    if (!server.process.waitFor(10, TimeUnit.SECONDS)) {
                        server.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            deleteRecursively(server.directory);
        }
        servers.clear();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("ipcbus-nats-");
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteRecursively(final Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (final IOException ignored) {
            // already gone
        }
    }
}
