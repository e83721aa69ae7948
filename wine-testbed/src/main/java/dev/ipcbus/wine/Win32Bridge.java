// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Wine process executing Win32 calls for this JVM: the mingw-built {@code win32bridge.exe}, reached over loopback
 * TCP. Handles are that process's, passed as opaque numbers, so every call on one object must go through the same
 * bridge; two bridges are two Windows processes (sharing the session's {@code wineserver}, so named objects are
 * visible to both).
 * <p>
 * <b>Blocking calls:</b> each call borrows an idle connection, or opens a new one (served by a new bridge thread), for
 * its duration. A call that blocks ({@code ReadFile}, {@code ConnectNamedPipe}, {@code WaitForSingleObject}) thus holds
 * one connection and one bridge thread, and concurrent calls from other Java threads proceed on others, as on Windows,
 * where a blocking call blocks only its thread; {@code CancelIoEx} from another thread reaches a blocked call because
 * both run in the same Wine process.
 * <p>
 * <b>Last error:</b> each reply carries {@code GetLastError()} read right after the call; {@link #lastError()} returns
 * that of the calling Java thread's previous call, like {@code GetLastError()} after a call on Windows.
 * <p>
 * <b>Lifetime:</b> the bridge exits when its lifeline connection closes: at {@link #close()}, or when this JVM dies
 * (even by {@code kill -9}), so Wine closes its handles as Windows does for a process that ends, and peers see
 * {@code ERROR_BROKEN_PIPE}. {@link #kill()} ends it abruptly, as {@code TerminateProcess} would.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class Win32Bridge implements AutoCloseable {
    private static final int TOKEN_LENGTH = 32;
    private static final long START_TIMEOUT_SECONDS = 180;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WineSession session;
    private final String name;
    private final Process process;
    private final int port;
    private final long winePid;
    private final byte[] token;
    private final Socket lifeline;
    private final StringBuilder stderr;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    private volatile boolean closed;

    private Win32Bridge(final WineSession session, final String name, final Process process, final int port,
        final long winePid, final byte[] token, final StringBuilder stderr) throws IOException {
        this.session = session;
        this.stderr = stderr;
        this.name = name;
        this.process = process;
        this.port = port;
        this.winePid = winePid;
        this.token = token;
        this.lifeline = connect('L');
    }

    /**
     * Starts a bridge process in the session's prefix and connects its lifeline. The first process of a fresh prefix
     * also creates the prefix (10-20 s); later ones start in 40-230 ms.
     *
     * @param session the Wine session.
     * @param name    a name for diagnostics.
     * @return the running bridge.
     * @throws Win32BridgeException if it did not start.
     */
    static Win32Bridge start(final WineSession session, final String name) {
        final byte[] token = newToken();
        final List<String> command = new ArrayList<>();
        command.add(WineAvailability.wineLoader().toString());
        command.add(session.bridgeExecutable().toString());
        command.add(new String(token, StandardCharsets.US_ASCII));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
            new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(session.environment());
        final Process process;
        try {
            process = builder.start();
        } catch (final IOException ex) {
            throw new Win32BridgeException("cannot start the Win32 bridge under Wine: command=" + command, ex);
        }
        final StringBuilder errors = new StringBuilder();
        final Thread stderrDrain = drain(process.getErrorStream(), errors, "wine-bridge-stderr-" + name);
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.US_ASCII));
        final CompletableFuture<String> first = new CompletableFuture<>();
        final Thread reader = new Thread(() -> {
            try {
                first.complete(out.readLine());
                while (out.readLine() != null) {
                    // the bridge prints nothing more; keep its pipe drained anyway
                }
            } catch (final IOException ex) {
                first.completeExceptionally(ex);
            }
        }, "wine-bridge-stdout-" + name);
        reader.setDaemon(true);
        reader.start();
        final String line;
        try {
            line = first.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Win32BridgeException("interrupted while starting the Win32 bridge", ex);
        } catch (final ExecutionException | TimeoutException ex) {
            process.destroyForcibly();
            throw new Win32BridgeException("the Win32 bridge did not report its port within " + START_TIMEOUT_SECONDS
                + " s: alive=" + process.isAlive() + ", stderr=" + tail(errors), ex);
        }
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            waitQuietly(process, 5);
            joinQuietly(stderrDrain, 2); // what the process wrote before it ended, for the message
            throw new Win32BridgeException("the Win32 bridge did not start: firstLine=" + line + ", exit="
                + (process.isAlive() ? "running" : String.valueOf(process.exitValue())) + ", stderr=" + tail(errors),
                null);
        }
        final String[] parts = line.trim().split(" ");
        try {
            return new Win32Bridge(session, name, process, Integer.parseInt(parts[1]), Long.parseLong(parts[3]), token,
                errors);
        } catch (final IOException | RuntimeException ex) {
            process.destroyForcibly();
            throw new Win32BridgeException("cannot connect to the Win32 bridge: line=" + line, ex);
        }
    }

    /**
     * Calls a Win32 function in the bridge process.
     *
     * @param function the function's name as the bridge knows it (e.g. {@code "CreateNamedPipeW"}).
     * @param ints     its numeric arguments (handles, flags, sizes), in the order the bridge documents.
     * @param blobs    its byte arguments (strings as {@link #wide(String)}, data to write).
     * @return the reply.
     * @throws Win32BridgeException if the bridge is gone or refused the request.
     */
    public BridgeReply call(final String function, final long[] ints, final byte[]... blobs) {
        if (closed) {
            throw new Win32BridgeException("Win32 bridge closed: bridge=" + name + ", function=" + function, null);
        }
        Connection connection = idle.pollFirst();
        if (connection == null) {
            try {
                connection = new Connection(connect('C'));
            } catch (final IOException ex) {
                throw new Win32BridgeException("cannot open a connection to the Win32 bridge: bridge=" + name
                    + ", alive=" + process.isAlive() + ", function=" + function, ex);
            }
            connections.add(connection);
            if (closed) {
                connection.close();
                connections.remove(connection);
                throw new Win32BridgeException("Win32 bridge closed: bridge=" + name, null);
            }
        }
        final BridgeReply reply;
        try {
            reply = connection.call(function, ints, blobs);
        } catch (final IOException ex) {
            connection.close();
            connections.remove(connection);
            throw new Win32BridgeException("Win32 bridge call failed: bridge=" + name + ", function=" + function
                + ", alive=" + process.isAlive() + ", closed=" + closed, ex);
        } catch (final Win32BridgeException ex) {
            // refused, but the reply was read whole: the connection stays usable
            idle.offerFirst(connection);
            throw ex;
        }
        if (closed) {
            connection.close();
            connections.remove(connection);
        } else {
            idle.offerFirst(connection);
        }
        lastError.get()[0] = reply.lastError();
        return reply;
    }

    /**
     * Calls a Win32 function that takes numeric arguments only.
     *
     * @param function the function's name.
     * @param ints     its arguments.
     * @return the reply.
     * @throws Win32BridgeException if the bridge is gone or refused the request.
     */
    public BridgeReply call(final String function, final long... ints) {
        return call(function, ints, new byte[0][]);
    }

    /**
     * @return {@code GetLastError()} of the calling thread's previous call through this bridge.
     */
    public int lastError() {
        return lastError.get()[0];
    }

    /**
     * @param text a string, or {@code null}.
     * @return its UTF-16LE bytes, as a Win32 wide string travels; empty for {@code null} (the bridge passes
     * {@code NULL} for an empty string argument).
     */
    public static byte[] wide(final String text) {
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_16LE);
    }

    /**
     * @return the Windows process id of the bridge (Wine's own numbering, not a Linux pid).
     */
    public long winePid() {
        return winePid;
    }

    /**
     * @return the Linux process running the bridge.
     */
    public Process process() {
        return process;
    }

    /**
     * @return the session this bridge runs in.
     */
    public WineSession session() {
        return session;
    }

    /**
     * @return whether the bridge process still runs.
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return how many connections (and so bridge threads) are open now.
     */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Ends the bridge process abruptly ({@code SIGKILL}, as {@code TerminateProcess} would on Windows) and waits for
     * it; Wine then closes its handles. Calls blocked in it fail with {@link Win32BridgeException}.
     */
    public void kill() {
        process.destroyForcibly();
        waitQuietly(process, 10);
        close();
    }

    /**
     * Closes the lifeline (the bridge exits and Wine closes its handles), waits up to 5 s, then kills it if needed.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lifeline.close();
        } catch (final IOException ignore) {
            // the bridge exits either way once the socket is gone
        }
        if (!waitQuietly(process, 5)) {
            process.destroyForcibly();
            waitQuietly(process, 5);
        }
        for (final Connection connection : connections) {
            connection.close();
        }
        connections.clear();
        idle.clear();
        session.forget(this);
    }

    @Override
    public String toString() {
        return "Win32Bridge{name=" + name + ", port=" + port + ", winePid=" + winePid + ", alive=" + process.isAlive()
            + "}";
    }

    /**
     * @return the end of what the bridge wrote to its error stream (Wine's own messages, if any).
     */
    public String stderr() {
        synchronized (stderr) {
            return tail(stderr);
        }
    }

    private Socket connect(final char kind) throws IOException {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        final OutputStream out = socket.getOutputStream();
        final byte[] hello = new byte[TOKEN_LENGTH + 1];
        System.arraycopy(token, 0, hello, 0, TOKEN_LENGTH);
        hello[TOKEN_LENGTH] = (byte) kind;
        out.write(hello);
        out.flush();
        return socket;
    }

    private static byte[] newToken() {
        final String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        final byte[] token = new byte[TOKEN_LENGTH];
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            token[i] = (byte) alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return token;
    }

    private static Thread drain(final InputStream stream, final StringBuilder into, final String threadName) {
        final Thread thread = new Thread(() -> {
            final byte[] chunk = new byte[4096];
            try {
                int n;
                while ((n = stream.read(chunk)) > 0) {
                    synchronized (into) {
                        if (into.length() < 64_000) {
                            into.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (final IOException ignore) {
                // the process ended
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String tail(final StringBuilder text) {
        synchronized (text) {
            return text.length() <= 2000 ? text.toString() : "..." + text.substring(text.length() - 2000);
        }
    }

    private static void joinQuietly(final Thread thread, final long seconds) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(seconds));
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean waitQuietly(final Process process, final long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** One TCP connection, served by one bridge thread; used by one Java thread at a time. */
    private static final class Connection {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Connection(final Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        BridgeReply call(final String function, final long[] ints, final byte[][] blobs) throws IOException {
            final byte[] functionName = function.getBytes(StandardCharsets.US_ASCII);
            int length = 2 + functionName.length + 2 + 8 * ints.length + 2;
            for (final byte[] blob : blobs) {
                length += 4 + blob.length;
            }
            final ByteBuffer request = ByteBuffer.allocate(4 + length).order(ByteOrder.LITTLE_ENDIAN);
            request.putInt(length);
            request.putShort((short) functionName.length).put(functionName);
            request.putShort((short) ints.length);
            for (final long value : ints) {
                request.putLong(value);
            }
            request.putShort((short) blobs.length);
            for (final byte[] blob : blobs) {
                request.putInt(blob.length).put(blob);
            }
            out.write(request.array());
            out.flush();

            final byte[] header = new byte[4];
            in.readFully(header);
            final int replyLength = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (replyLength < 20) {
                throw new IOException("malformed bridge reply: length=" + replyLength);
            }
            final byte[] body = new byte[replyLength];
            in.readFully(body);
            final ByteBuffer reply = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            final int status = reply.getInt();
            if (status != 0) {
                throw new Win32BridgeException("the Win32 bridge refused the call (unknown function or bad "
                    + "arguments): function=" + function + ", ints=" + ints.length + ", blobs=" + blobs.length, null);
            }
            final long value = reply.getLong();
            final int error = reply.getInt();
            final long[] outs = new long[Short.toUnsignedInt(reply.getShort())];
            for (int i = 0; i < outs.length; i++) {
                outs[i] = reply.getLong();
            }
            final byte[][] bytes = new byte[Short.toUnsignedInt(reply.getShort())][];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = new byte[reply.getInt()];
                reply.get(bytes[i]);
            }
            return new BridgeReply(value, error, outs, bytes);
        }

        void close() {
            try {
                socket.close();
            } catch (final IOException ignore) {
                // closing anyway
            }
        }
    }
}
