// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.BusConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This demo started again as a separate process (same Java, same class path, same runtime directory), its output
 * lines handed to a callback as they arrive. The child is started with {@code --ready} and announces itself with a
 * {@code READY} line. If this JVM exits first (Ctrl-C, SIGTERM), a shutdown hook stops the child with SIGTERM, so its
 * own hook closes its node: nothing stays in the registry or in shared memory.
 */
final class ChildProcess implements AutoCloseable {
    private static final List<String> MEASURING = List.of("pong", "sink");

    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread reader;
    private final Thread stopOnExit;

    private ChildProcess(final Process process, final Consumer<String> lines) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        ready.countDown();
                    } else {
                        lines.accept(line);
                    }
                }
            } catch (final IOException ignore) {
                // the child exited
            }
        }, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        this.stopOnExit = new Thread(this::stop, "stop-child-" + process.pid());
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts {@code ipcbus-demo <args>} as a child process; its error stream goes to ours.
     */
    static ChildProcess start(final Consumer<String> lines, final String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (!MEASURING.contains(args[0])) {
            command.add("-XX:TieredStopAtLevel=1"); // quick start; the measuring peers get the full JIT
        }
        command.add("-Xmx256m");
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Netty 4.1's Unsafe, without JDK 24+'s warning
        }
        // The child must find the same runtime directory: the environment (IPCBUS_RUNTIME_DIR, XDG_RUNTIME_DIR,
        // TMPDIR) is inherited, the Java-only system property is passed on.
        final String runtimeDirectory = System.getProperty(BusConfig.RUNTIME_DIR_PROPERTY);
        if (runtimeDirectory != null) {
            command.add("-D" + BusConfig.RUNTIME_DIR_PROPERTY + "=" + runtimeDirectory);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IpcbusDemo.class.getName());
        command.addAll(List.of(args));
        command.add("--ready");
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        return new ChildProcess(process, lines);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to print {@code READY}.
     *
     * @throws IllegalStateException if it exits or stays silent past the timeout.
     */
    void awaitReady(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(50, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("child process " + process.pid() + " exited with code "
                    + process.exitValue() + " before it was ready");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("child process " + process.pid() + " not ready within " + timeout);
            }
        }
    }

    /**
     * Closes the child's standard input (its signal to finish) and waits for it to exit and its output to drain.
     *
     * @return the exit code, or -1 if it had to be killed.
     */
    int finish(final Duration timeout) throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (final IOException ignore) {
            // already gone
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        reader.join(2000);
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (final IllegalStateException exiting) {
            // the hook runs already
        }
        stop();
    }

    /** SIGTERM (the child's shutdown hook closes its node), then SIGKILL if it is still there after 5 s. */
    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
