// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM started on the test class path, for cross-process tests: its standard output is read line by line
 * into a queue; {@link #close()} kills it (and waits, so no zombie or orphan is left behind).
 * <p>
 * <b>Thread safety:</b> not thread-safe; confine to the test thread.
 */
public final class ChildJvm implements AutoCloseable {
    /** System properties a child inherits from this JVM when set here. */
    private static final List<String> INHERITED_PROPERTIES = List.of("ipcbus.runtimeDir", "ipcbus.platform",
        "jna.library.path");

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final StringBuilder errors = new StringBuilder();

    private ChildJvm(final Process process) {
        this.process = process;
        final Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)), true), "child-stdout-" + process.pid());
        final Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
            StandardCharsets.UTF_8)), false), "child-stderr-" + process.pid());
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /**
     * Starts {@code mainClass} in a new JVM with this JVM's class path and the given system properties.
     *
     * @param mainClass  the class whose {@code main} runs.
     * @param properties {@code -D} settings, as {@code name=value}.
     * @param args       program arguments.
     * @return the running child.
     */
    public static ChildJvm start(final Class<?> mainClass, final List<String> properties, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Dio.netty.leakDetection.level=disabled");
        for (final String property : properties) {
            command.add("-D" + property);
        }
        // The child shares the runtime directory and, under the Wine test bed, the selected Windows layer and the shim
        // libraries standing in for kernel32/advapi32.
        for (final String inherited : INHERITED_PROPERTIES) {
            final String value = System.getProperty(inherited);
            if (value != null) {
                command.add("-D" + inherited + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(command).start());
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Starts a {@link ChildNode}.
     *
     * @param uri  the bus URI.
     * @param args the child node's mode and arguments.
     * @return the running child.
     */
    public static ChildJvm node(final String uri, final String... args) {
        final String[] all = new String[args.length + 1];
        all[0] = uri;
        System.arraycopy(args, 0, all, 1, args.length);
        return start(ChildNode.class, List.of(), all);
    }

    private void pump(final BufferedReader reader, final boolean stdout) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (stdout) {
                    lines.add(line);
                } else {
                    synchronized (errors) {
                        if (errors.length() < 20_000) {
                            errors.append(line).append('\n');
                        }
                    }
                }
            }
        } catch (final IOException ignore) {
            // the child died
        }
    }

    /**
     * Waits for the next output line that starts with {@code prefix}; earlier lines are skipped (and kept for
     * {@link #seenLines()}).
     *
     * @param prefix  the prefix.
     * @param timeout how long to wait.
     * @return the line.
     * @throws AssertionError on timeout, with the child's output and error stream.
     */
    public String awaitLine(final String prefix, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                final long remaining = deadline - System.nanoTime();
                final String line = remaining > 0 ? lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw new AssertionError("child " + process.pid() + " printed no line starting with '" + prefix
                        + "' within " + timeout + "; alive=" + process.isAlive() + "; stdout=" + seen + "; stderr="
                        + stderr());
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * Takes the next output line if one has arrived, without waiting (kept for {@link #seenLines()}).
     *
     * @return the line, or {@code null} if none is waiting.
     */
    public String pollLine() {
        final String line = lines.poll();
        if (line != null) {
            seen.add(line);
        }
        return line;
    }

    /**
     * @return every line consumed so far by {@link #awaitLine}.
     */
    public List<String> seenLines() {
        return seen;
    }

    /**
     * @return what the child wrote to its error stream so far.
     */
    public String stderr() {
        synchronized (errors) {
            return errors.toString();
        }
    }

    /**
     * Writes one line to the child's standard input.
     *
     * @param line the line.
     */
    public void send(final String line) {
        try {
            final OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the child's pid.
     */
    public long pid() {
        return process.pid();
    }

    /**
     * @return the child process.
     */
    public Process process() {
        return process;
    }

    /**
     * Kills the child with SIGKILL ({@code kill -9}) and waits for it to exit.
     */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Asks the child to exit by closing its standard input, waits up to {@code timeout}, then kills it.
     *
     * @param timeout how long to wait for an orderly exit.
     * @return the exit code, or -1 if it had to be killed.
     */
    public int stop(final Duration timeout) {
        try {
            process.getOutputStream().close();
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (final IOException ignore) {
            // already gone
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        kill();
        return -1;
    }

    /**
     * Asks the child to exit (closes its standard input) and kills it if it has not within five seconds.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(5));
        }
    }

    /**
     * @return the working directory of the test JVM.
     */
    static Path workingDirectory() {
        return Paths.get("").toAbsolutePath();
    }
}
