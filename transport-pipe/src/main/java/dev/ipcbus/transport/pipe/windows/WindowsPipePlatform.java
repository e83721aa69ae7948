// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.transport.pipe.core.PipeConnection;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.PipePlatform;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.concurrent.TimeUnit;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;

/**
 * The Windows pipe layer: an inbox is a message-mode named pipe server, {@code \\.\pipe\ipcbus-<bus>-<nodehex>}
 * ({@link WindowsPipeNames}), with a fresh instance always listening; each outlet connection is a
 * {@link WindowsPipeConnection}. Every Win32 call goes through the given {@link Win32}.
 * <p>
 * Instances: the first is created with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}, so a process already holding the name
 * (a squatter) makes creation fail with a clear error ({@code ERROR_ACCESS_DENIED}) instead of silently sharing it.
 * Every instance uses {@code PIPE_ACCESS_DUPLEX}, {@link #PIPE_MODE} and a current-user-only security descriptor
 * ({@link CurrentUserSecurity}, built once when the inbox opens, before any {@code CreateNamedPipeW}, and freed with
 * the server). As soon as an instance connects, the accept thread creates the next one, so clients rarely see
 * {@code ERROR_PIPE_BUSY} (and handle it with {@code WaitNamedPipe} when they do). Reads are blocking
 * {@code ConnectNamedPipe} and {@code ReadFile} on Java-owned direct buffers whose lifetime is the call; closing
 * cancels them with {@code CancelIoEx}. (Writers, in {@link WindowsPipeConnection}, use overlapped I/O, to bound a
 * write in time.)
 * <p>
 * Reading: a message longer than the read buffer fails with {@code ERROR_MORE_DATA}; {@code PeekNamedPipe} gives the
 * bytes left in it, which are checked against the maximum before the buffer grows, then the rest is read. A message
 * beyond the maximum (a writer whose URI allows larger frames) is read in buffer-sized pieces and dropped, counted
 * and reported (the first per connection); the connection is kept, so the messages around it arrive.
 * {@code ERROR_BROKEN_PIPE}, {@code ERROR_PIPE_NOT_CONNECTED} and {@code ERROR_NO_DATA} end a connection in order; if
 * that happens inside a message, the partial frame is discarded. A continuation read that does not match the bytes
 * {@code PeekNamedPipe} said were left (it ends early, or runs on past them) means the message was cut off (a pending
 * write cancelled while partly read: checked under Wine, where the remainder vanishes) and the bytes read start the
 * next message; the cut frame is counted as discarded. The first message must be the
 * {@link PipeHelloDescriptor hello}.
 * <p>
 * {@link #reclaim} has nothing to release: a named pipe disappears with its last handle, also when its process dies.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPipePlatform implements PipePlatform {
    /** Pipe mode of every instance. */
    public static final int PIPE_MODE = PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT
        | PIPE_REJECT_REMOTE_CLIENTS;
    /** Starting size of each reader's buffer and the instances' input buffer hint. */
    public static final int INITIAL_BUFFER = 64 * 1024;
    /** Longest pause between two looks for a new connection's hello (first 1 ms, doubling). */
    private static final long HELLO_POLL_MAX_MILLIS = 20;
    /** Pause after the OS refused to create the next listening instance, or a failed connect. */
    private static final long RETRY_MILLIS = 100;

    private final Win32 api;
    private final String busName;
    private final ErrorHandler errorHandler;

    /**
     * @param api          the Win32 calls.
     * @param busName      the bus name.
     * @param errorHandler receives OS errors of the accept and reader threads.
     */
    public WindowsPipePlatform(final Win32 api, final String busName, final ErrorHandler errorHandler) {
        this.api = api;
        this.busName = busName;
        this.errorHandler = errorHandler;
    }

    @Override
    public String name() {
        return "windows";
    }

    /**
     * {@inheritDoc}
     *
     * @throws BusException    if another process holds the name (squatter).
     * @throws Win32Exception if the security descriptor cannot be built or the OS refuses for another reason.
     */
    @Override
    public Server listen(final long nodeId, final int maxFrameLength) {
        final String name = WindowsPipeNames.inboxName(busName, nodeId);
        // built here, on the caller's thread: a failure fails the open, never the accept thread later
        final CurrentUserSecurity security = CurrentUserSecurity.create(api);
        final long first = api.CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_MODE,
            PIPE_UNLIMITED_INSTANCES, 0, INITIAL_BUFFER, 0, security.attributes());
        if (first == INVALID_HANDLE_VALUE) {
            final int error = api.GetLastError();
            security.close();
            if (error == ERROR_ACCESS_DENIED) {
                throw new BusException("pipe name already held by another server (a squatter, or a node with the "
                    + "same id): name=" + name + ", error=ERROR_ACCESS_DENIED");
            }
            throw Win32Exception.of(api, "CreateNamedPipeW", error, "name=" + name);
        }
        return new PipeServer(name, security, first, maxFrameLength);
    }

    @Override
    public PipeConnection connect(final long nodeId, final String address, final int maxFrameLength,
        final long deadlineNanos) {
        if (!WindowsPipeNames.isInboxNameOf(address, nodeId)) {
            throw new BusException("not a pipe inbox name of this node: address=" + address);
        }
        return WindowsPipeConnection.open(api, address, nodeId, maxFrameLength, deadlineNanos);
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        // Nothing outlives a Windows process: its pipe instances closed with its handles.
    }

    private static void sleepQuietly(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The named pipe's listening instance, replaced by a new one each time a client connects. */
    private final class PipeServer implements Server {
        private final String name;
        private final CurrentUserSecurity security;
        private final int maxFrameLength;
        private final Object listeningLock = new Object();
        /** The listening instance, 0 if none; guarded by {@link #listeningLock}. */
        private long listening;
        private volatile boolean stopped;

        PipeServer(final String name, final CurrentUserSecurity security, final long first,
            final int maxFrameLength) {
            this.name = name;
            this.security = security;
            this.listening = first;
            this.maxFrameLength = maxFrameLength;
        }

        @Override
        public String address() {
            return name;
        }

        /**
         * Waits for a client on the listening instance (creating one if there is none), then creates the next one.
         */
        @Override
        public ServerConnection accept() {
            final long instance;
            synchronized (listeningLock) {
                instance = listening;
            }
            if (instance == 0) {
                if (!createNext()) {
                    sleepQuietly(RETRY_MILLIS);
                }
                return null;
            }
            final boolean ok = api.ConnectNamedPipe(instance);
            final int error = ok ? 0 : api.GetLastError();
            if (stopped) {
                return null;
            }
            if (!ok && error != ERROR_PIPE_CONNECTED) {
                if (error == ERROR_NO_DATA) {
                    // The client connected and closed before ConnectNamedPipe: reuse the instance.
                    api.DisconnectNamedPipe(instance);
                } else if (error != ERROR_OPERATION_ABORTED) {
                    errorHandler.onError(Win32Exception.of(api, "ConnectNamedPipe", error, "name=" + name));
                    sleepQuietly(RETRY_MILLIS);
                }
                return null;
            }
            synchronized (listeningLock) {
                listening = 0;
            }
            createNext();
            return new PipeInstance(instance, name, maxFrameLength);
        }

        /** Creates the next listening instance; false (reported) if the OS refused. */
        private boolean createNext() {
            final long next = api.CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_MODE, PIPE_UNLIMITED_INSTANCES, 0,
                INITIAL_BUFFER, 0, security.attributes());
            if (next == INVALID_HANDLE_VALUE) {
                errorHandler.onError(Win32Exception.lastError(api, "CreateNamedPipeW", "name=" + name
                    + ", instance=next"));
                return false;
            }
            synchronized (listeningLock) {
                if (stopped) {
                    api.CloseHandle(next);
                } else {
                    listening = next;
                }
            }
            return true;
        }

        /** Cancels a blocking {@code ConnectNamedPipe}; repeated by the inbox, since a cancel issued early is lost. */
        @Override
        public void stop() {
            synchronized (listeningLock) {
                stopped = true;
                if (listening != 0) {
                    api.CancelIoEx(listening, 0);
                }
            }
        }

        /** Closes the listening instance and frees the security descriptor, after the last CreateNamedPipeW. */
        @Override
        public void close() {
            synchronized (listeningLock) {
                stopped = true;
                if (listening != 0) {
                    api.CloseHandle(listening);
                    listening = 0;
                }
            }
            security.close();
        }
    }

    /** One connected instance. */
    private final class PipeInstance implements ServerConnection {
        private final long handle;
        private final String name;
        private final int maxFrameLength;
        private final int[] count = new int[1];
        private final int[] available = new int[1];
        private final int[] left = new int[1];
        /** Guarded by this instance's monitor, so that CancelIoEx and CloseHandle never race on one handle value. */
        private boolean open = true;

        PipeInstance(final long handle, final String name, final int maxFrameLength) {
            this.handle = handle;
            this.name = name;
            this.maxFrameLength = maxFrameLength;
        }

        @Override
        public synchronized void cancel() {
            if (open) {
                api.CancelIoEx(handle, 0);
            }
        }

        @Override
        public synchronized void close() {
            if (open) {
                open = false;
                api.DisconnectNamedPipe(handle);
                api.CloseHandle(handle);
            }
        }

        /**
         * {@inheritDoc}
         * <p>
         * {@code PeekNamedPipe} in pauses of 1 ms, doubling up to {@link #HELLO_POLL_MAX_MILLIS}, since a blocking
         * {@code ReadFile} could not be bounded without cancelling it from another thread.
         */
        @Override
        public boolean awaitHello(final long deadlineNanos, final Reader reader) {
            long pause = 1;
            while (!reader.isClosed()) {
                if (!api.PeekNamedPipe(handle, available, left)) {
                    return false; // the writer went away (ERROR_BROKEN_PIPE) or the instance was closed
                }
                if (available[0] > 0 || left[0] > 0) {
                    return true;
                }
                final long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    reader.helloTimedOut(0);
                    return false;
                }
                sleepQuietly(Math.max(1, Math.min(pause, TimeUnit.NANOSECONDS.toMillis(remaining))));
                pause = Math.min(pause * 2, HELLO_POLL_MAX_MILLIS);
            }
            return false;
        }

        /** Reads messages, the hello first, until the connection ends. */
        @Override
        public void read(final Reader reader) {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(INITIAL_BUFFER);
            boolean helloSeen = false;
            try {
                while (!reader.isClosed()) {
                    buffer.clear();
                    int length = 0;
                    // An oversize message (beyond maxFrameLength: a writer whose URI allows larger frames) is read
                    // in buffer-sized pieces over offset 0 and dropped; the connection stays.
                    boolean oversize = false;
                    boolean ok = api.ReadFile(handle, buffer.internalNioBuffer(0, buffer.capacity()), buffer.capacity(),
                        count);
                    length += count[0];
                    int error = ok ? 0 : api.GetLastError();
                    while (!ok && error == ERROR_MORE_DATA) {
                        if (!api.PeekNamedPipe(handle, available, left)) {
                            error = api.GetLastError();
                            break;
                        }
                        final int expected = left[0];
                        final long total = (long) length + expected;
                        if (!helloSeen && total > PipeHelloDescriptor.LENGTH) {
                            reader.malformed("first message is not a hello: length=" + total);
                            return;
                        }
                        oversize |= total > maxFrameLength;
                        final int at = oversize ? 0 : length;
                        final int want = oversize ? Math.min(expected, buffer.capacity()) : expected;
                        if (buffer.capacity() < at + want) {
                            final ByteBuf grown = ByteBufAllocator.DEFAULT.directBuffer(at + want);
                            grown.writeBytes(buffer, 0, length);
                            buffer.release();
                            buffer = grown;
                        }
                        ok = api.ReadFile(handle, buffer.internalNioBuffer(at, want), want, count);
                        error = ok ? 0 : api.GetLastError();
                        final int got = count[0];
                        if ((ok && got < expected) || (error == ERROR_MORE_DATA && got == expected)) {
                            // The rest of the message never came (its pending write was cancelled: under Wine the
                            // remainder vanishes and the next read returns the next message). What was just read
                            // starts a new message; the cut one is dropped.
                            reader.counters().onPartialFrameDiscarded();
                            buffer.setBytes(0, buffer, at, got);
                            length = got;
                            oversize = false;
                        } else {
                            length += got;
                        }
                    }
                    if (!ok) {
                        if (length > 0) {
                            // The writer went away inside a message: the frame is incomplete; drop it.
                            reader.counters().onPartialFrameDiscarded();
                        }
                        if (error != ERROR_BROKEN_PIPE && error != ERROR_PIPE_NOT_CONNECTED && error != ERROR_NO_DATA
                            && error != ERROR_OPERATION_ABORTED) {
                            reader.osError(Win32Exception.of(api, "ReadFile", error, "name=" + name));
                        }
                        return;
                    }
                    if (helloSeen && length > maxFrameLength) {
                        reader.counters().onOversizeFrameDropped();
                        reader.oversizeFrameDropped(length);
                        continue;
                    }
                    buffer.writerIndex(length);
                    if (!helloSeen) {
                        final String problem = length == PipeHelloDescriptor.LENGTH
                            ? PipeHelloDescriptor.check(buffer, 0, reader.nodeId())
                            : "first message is not a hello: length=" + length;
                        if (problem != null) {
                            reader.malformed(problem);
                            return;
                        }
                        helloSeen = true;
                        continue;
                    }
                    final ByteBuf frame = buffer.slice(0, length);
                    reader.deliver(listener -> {
                        listener.onFrame(frame);
                        return 0;
                    });
                    if (buffer.refCnt() != 1 || buffer.capacity() > INITIAL_BUFFER) {
                        // The listener kept a retained slice (leave those bytes alone), or the buffer grew.
                        buffer.release();
                        buffer = ByteBufAllocator.DEFAULT.directBuffer(INITIAL_BUFFER);
                    }
                }
            } finally {
                buffer.release();
            }
        }
    }
}
