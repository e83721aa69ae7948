// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link FilemapChild}, started with this JVM's {@code java.home} and class path, its stdout read
 * line by line; killed with SIGKILL by {@link #kill()} or {@link #close()}.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    ChildProcess(final String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FilemapChild.class.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.directory(new File(System.getProperty("java.io.tmpdir")));
        process = builder.start();
        final Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (final IOException ignored) {
                // Child gone.
            }
        }, "child-stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * @param prefix the expected start of the line.
     * @param seconds how long to wait.
     * @return the first line starting with {@code prefix}.
     * @throws AssertionError if none arrives in time or the child exits first.
     */
    String await(final String prefix, final long seconds) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("child exited with " + process.exitValue() + " before printing " + prefix);
            }
        }
        throw new AssertionError("child did not print " + prefix + " within " + seconds + " s");
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(final long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("child still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    /**
     * Sends SIGKILL and reaps the child.
     */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
