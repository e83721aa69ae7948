package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.PipeInboxCounters;
import dev.ipcbus.transport.pipe.core.PipeInboxGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;

/**
 * A node's Windows pipe inbox: a message-mode named pipe server, {@code \\.\pipe\ipcbus-<bus>-<nodehex>}, with a
 * fresh instance always listening and one reader thread per connected writer.
 * <p>
 * <b>Why a thread per instance and not overlapped I/O:</b> the number of connected instances equals the number of
 * nodes writing to this one (tens on one machine), so the threads are few; blocking {@code ConnectNamedPipe} and
 * {@code ReadFile} keep every buffer a plain Java-owned direct buffer whose lifetime is the call, where overlapped
 * reads through JNA need native buffers and {@code OVERLAPPED}s that outlive each call, one event per instance, and
 * {@code WaitForMultipleObjects}' 64-handle limit. Closing cancels the blocking calls with {@code CancelIoEx} (from
 * another thread when a listener closes the inbox: it holds the delivery lock the other readers wait for). The
 * listener is still called serially: deliveries take one lock, and each connection's thread delivers its frames in
 * pipe order. (Writers, in {@link WindowsPipeConnection}, do use overlapped I/O, to bound a write in time.)
 * <p>
 * Instances: the first is created with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}, so a process already holding the name
 * (a squatter) makes creation fail with a clear error ({@code ERROR_ACCESS_DENIED}) instead of silently sharing it.
 * Every instance uses {@code PIPE_ACCESS_DUPLEX}, {@code PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT |
 * PIPE_REJECT_REMOTE_CLIENTS} and a current-user-only security descriptor ({@link CurrentUserSecurity}, built once
 * when the inbox opens, before any {@code CreateNamedPipeW}, and freed when the listener stops). As soon as an
 * instance connects, the listener thread creates the next one, so clients rarely see {@code ERROR_PIPE_BUSY} (and
 * handle it with {@code WaitNamedPipe} when they do).
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
 * No stale objects exist on Windows: the pipe name disappears with the last handle, including when the process dies.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsPipeInbox implements Inbox {
    /** Pipe mode of every instance. */
    public static final int PIPE_MODE = PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT
        | PIPE_REJECT_REMOTE_CLIENTS;
    /** Starting size of each reader's buffer and the instances' input buffer hint. */
    static final int INITIAL_BUFFER = 64 * 1024;
    private static final long JOIN_MILLIS = 5_000;
    /** Longest pause between two looks for a new connection's hello (first 1 ms, doubling). */
    private static final long HELLO_POLL_MAX_MILLIS = 20;
    /** Pause after the OS refused to create the next listening instance. */
    private static final long RETRY_MILLIS = 100;

    private final Win32 api;
    private final long nodeId;
    private final String name;
    private final CurrentUserSecurity security;
    private final int maxFrameLength;
    private final FrameListener listener;
    private final ErrorHandler errorHandler;
    private final Runnable onClose;
    private final PipeInboxCounters counters = new PipeInboxCounters();
    private final PipeInboxGuard guard;
    private final ReentrantLock deliverLock = new ReentrantLock();
    private final Set<Instance> connected = ConcurrentHashMap.newKeySet();
    private final Thread listenerThread;
    private final Object listeningLock = new Object();
    private long listening;
    private volatile boolean closed;

    private WindowsPipeInbox(final Win32 api, final long nodeId, final String name,
        final CurrentUserSecurity security,
        final int maxFrameLength, final long helloTimeoutNanos, final FrameListener listener,
        final ErrorHandler errorHandler, final Runnable onClose, final long first) {
        this.api = api;
        this.nodeId = nodeId;
        this.name = name;
        this.security = security;
        this.maxFrameLength = maxFrameLength;
        this.listener = listener;
        this.errorHandler = errorHandler;
        this.onClose = onClose;
        this.guard = new PipeInboxGuard(helloTimeoutNanos, maxFrameLength, counters, errorHandler,
            "inbox=" + NodeIds.format(nodeId) + ", name=" + name);
        this.listening = first;
        this.listenerThread = new Thread(this::listen, "ipcbus-pipe-listen-" + NodeIds.format(nodeId));
        listenerThread.setDaemon(true);
    }

    /**
     * Creates the first instance and starts listening.
     *
     * @param api            the Win32 calls.
     * @param nodeId         the owning node.
     * @param name           the pipe name ({@link WindowsPipeNames#inboxName}).
     * @param maxFrameLength    the largest frame accepted.
     * @param helloTimeoutNanos how long a new connection may take to send its hello before it is closed.
     * @param listener          receives every frame.
     * @param errorHandler      receives garbage reports and OS errors of the background threads.
     * @param onClose           run once when the inbox closes.
     * @return the open inbox.
     * @throws BusException        if another process holds the name (squatter).
     * @throws Win32Exception if the security descriptor cannot be built or the OS refuses for another reason.
     */
    public static WindowsPipeInbox open(final Win32 api, final long nodeId, final String name,
        final int maxFrameLength, final long helloTimeoutNanos, final FrameListener listener,
        final ErrorHandler errorHandler, final Runnable onClose) {
        // built here, on the caller's thread: a failure fails open(), never the listener thread later
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
        final WindowsPipeInbox inbox = new WindowsPipeInbox(api, nodeId, name, security, maxFrameLength,
            helloTimeoutNanos, listener, errorHandler, onClose, first);
        inbox.listenerThread.start();
        return inbox;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String address() {
        return name;
    }

    /**
     * @return the largest frame this inbox accepts ({@code maxFrameLength}).
     */
    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return the owning node.
     */
    public long nodeId() {
        return nodeId;
    }

    /**
     * @return this inbox's counters.
     */
    public PipeInboxCounters counters() {
        return counters;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final Thread current = Thread.currentThread();
        // A cancel issued before the other thread enters its blocking call is lost, so repeat until it exits.
        stop(listenerThread, () -> {
            synchronized (listeningLock) {
                if (listening != 0) {
                    api.CancelIoEx(listening, 0);
                }
            }
        }, current);
        if (deliverLock.isHeldByCurrentThread()) {
            // A listener closing the inbox holds the delivery lock, and the other readers may be waiting for it:
            // they can only end once it is released, so they are stopped (cancelled until they exit) from another
            // thread, and this one returns.
            final List<Instance> others = new ArrayList<>(connected);
            final Thread stopper = new Thread(() -> others.forEach(instance -> stop(instance.thread,
                instance::cancel, current)), "ipcbus-pipe-close-" + NodeIds.format(nodeId));
            stopper.setDaemon(true);
            stopper.start();
        } else {
            for (final Instance instance : connected) {
                stop(instance.thread, instance::cancel, current);
            }
        }
        onClose.run();
    }

    private void stop(final Thread thread, final Runnable cancel, final Thread current) {
        if (thread == current) {
            cancel.run();
            return;
        }
        final long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000L;
        while (thread.isAlive() && System.nanoTime() < deadline) {
            cancel.run();
            try {
                thread.join(20);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (thread.isAlive()) {
            errorHandler.onError(new BusException("pipe inbox thread did not stop: thread=" + thread.getName()
                + ", name=" + name));
        }
    }

    /**
     * Connects instances until the inbox closes, each handed to its own reader thread holding a hello slot (see
     * {@link PipeInboxGuard#serve}); then closes the listening instance.
     */
    private void listen() {
        try {
            guard.serve(() -> closed, this::connectNext);
        } finally {
            synchronized (listeningLock) {
                if (listening != 0) {
                    api.CloseHandle(listening);
                    listening = 0;
                }
            }
            security.close(); // after the last CreateNamedPipeW, which only this thread makes
        }
    }

    /**
     * Waits for a client on the listening instance (creating one if there is none) and starts its reader, which then
     * owns the hello slot the caller took.
     *
     * @return {@code true} if a reader took the slot; {@code false} if no client connected (the caller keeps it).
     */
    private boolean connectNext() {
        final long instance;
        synchronized (listeningLock) {
            instance = listening;
        }
        if (instance == 0) {
            if (!createNext()) {
                sleepQuietly(RETRY_MILLIS);
            }
            return false;
        }
        final boolean ok = api.ConnectNamedPipe(instance);
        final int error = ok ? 0 : api.GetLastError();
        if (closed) {
            return false;
        }
        if (!ok && error != ERROR_PIPE_CONNECTED) {
            if (error == ERROR_NO_DATA) {
                // The client connected and closed before ConnectNamedPipe: reuse the instance.
                api.DisconnectNamedPipe(instance);
            } else if (error != ERROR_OPERATION_ABORTED) {
                errorHandler.onError(Win32Exception.of(api, "ConnectNamedPipe", error, "name=" + name));
                sleepQuietly(10);
            }
            return false;
        }
        synchronized (listeningLock) {
            listening = 0;
        }
        final Instance reader = new Instance(instance);
        boolean started = false;
        try {
            connected.add(reader);
            counters.onConnectionAccepted();
            reader.thread.start();
            started = true;
        } finally {
            if (!started) {
                connected.remove(reader);
                counters.onConnectionClosed();
                reader.closeHandle();
                reader.holdsHelloSlot = false;
                guard.releaseHelloSlot();
            }
        }
        createNext();
        return true;
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
            if (closed) {
                api.CloseHandle(next);
            } else {
                listening = next;
            }
        }
        return true;
    }

    private void deliver(final ByteBuf frame) {
        deliverLock.lock();
        try {
            if (closed) {
                return;
            }
            counters.onFrame(frame.readableBytes());
            listener.onFrame(frame);
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        } finally {
            deliverLock.unlock();
        }
    }

    private static void sleepQuietly(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connected instance and its reader thread. */
    private final class Instance {
        private final long handle;
        private final Thread thread;
        private boolean open = true;
        /** Whether this connection's first oversize frame was reported; reader thread only. */
        private boolean oversizeReported;
        /** Whether this connection still holds its hello slot; set by the listener, then reader thread only. */
        private boolean holdsHelloSlot = true;

        Instance(final long handle) {
            this.handle = handle;
            this.thread = new Thread(this::run, "ipcbus-pipe-read-" + NodeIds.format(nodeId));
            thread.setDaemon(true);
        }

        /** CancelIoEx and CloseHandle never race on one handle value: both run under this monitor. */
        synchronized void cancel() {
            if (open) {
                api.CancelIoEx(handle, 0);
            }
        }

        private synchronized void closeHandle() {
            if (open) {
                open = false;
                api.DisconnectNamedPipe(handle);
                api.CloseHandle(handle);
            }
        }

        /**
         * Waits for the hello's first bytes (the reader then reads it as the first message), then reads messages
         * until the connection ends. Whatever ends the thread, the instance is closed: a failure (any
         * {@link Throwable}) is counted and reported, and the writer's next write fails, so it reconnects or learns
         * that the node is gone.
         */
        private void run() {
            ByteBuf buffer = null;
            boolean helloSeen = false;
            final int[] count = new int[1];
            final int[] available = new int[1];
            final int[] left = new int[1];
            try {
                if (!awaitFirstBytes(available, left)) {
                    return; // the slot is given back once this thread has closed the connection
                }
                releaseHelloSlot();
                buffer = ByteBufAllocator.DEFAULT.directBuffer(INITIAL_BUFFER);
                while (!closed) {
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
                            malformed("first message is not a hello: length=" + total);
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
                            counters.onPartialFrameDiscarded();
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
                            counters.onPartialFrameDiscarded();
                        }
                        if (error != ERROR_BROKEN_PIPE && error != ERROR_PIPE_NOT_CONNECTED && error != ERROR_NO_DATA
                            && error != ERROR_OPERATION_ABORTED && !closed) {
                            errorHandler.onError(Win32Exception.of(api, "ReadFile", error, "name=" + name));
                        }
                        return;
                    }
                    if (helloSeen && length > maxFrameLength) {
                        oversize(length);
                        continue;
                    }
                    buffer.writerIndex(length);
                    if (!helloSeen) {
                        final String problem = length == PipeHelloDescriptor.LENGTH
                            ? PipeHelloDescriptor.check(buffer, 0, nodeId)
                            : "first message is not a hello: length=" + length;
                        if (problem != null) {
                            malformed(problem);
                            return;
                        }
                        helloSeen = true;
                        continue;
                    }
                    deliver(buffer.slice(0, length));
                    if (buffer.refCnt() != 1) {
                        // The listener kept a retained slice: leave those bytes alone.
                        buffer.release();
                        buffer = ByteBufAllocator.DEFAULT.directBuffer(INITIAL_BUFFER);
                    } else if (buffer.capacity() > INITIAL_BUFFER) {
                        buffer.release();
                        buffer = ByteBufAllocator.DEFAULT.directBuffer(INITIAL_BUFFER);
                    }
                }
            } catch (final Throwable ex) {
                closeHandle(); // first: the writer must not keep filling a pipe nobody reads
                if (!closed) {
                    guard.onReaderFailure(thread.getName(), ex);
                }
            } finally {
                if (buffer != null) {
                    buffer.release();
                }
                closeHandle();
                connected.remove(this);
                counters.onConnectionClosed();
                releaseHelloSlot();
            }
        }

        /**
         * Waits, at most the hello timeout, until the connection has bytes to read (a writer sends its hello as soon
         * as it connects, so they are nearly always there at once): {@code PeekNamedPipe} in pauses of 1 ms,
         * doubling up to {@link #HELLO_POLL_MAX_MILLIS}, since a blocking {@code ReadFile} could not be bounded
         * without cancelling it from another thread.
         *
         * @return {@code true} if bytes arrived; {@code false} if the connection ended, the inbox closed, or the
         * timeout passed (then counted and reported).
         */
        private boolean awaitFirstBytes(final int[] available, final int[] left) {
            final long deadline = guard.helloDeadline();
            long pause = 1;
            while (!closed) {
                if (!api.PeekNamedPipe(handle, available, left)) {
                    return false; // the writer went away (ERROR_BROKEN_PIPE) or the instance was closed
                }
                if (available[0] > 0 || left[0] > 0) {
                    return true;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    guard.onHelloTimeout(0);
                    return false;
                }
                sleepQuietly(Math.max(1, Math.min(pause, TimeUnit.NANOSECONDS.toMillis(remaining))));
                pause = Math.min(pause * 2, HELLO_POLL_MAX_MILLIS);
            }
            return false;
        }

        private void releaseHelloSlot() {
            if (holdsHelloSlot) {
                holdsHelloSlot = false;
                guard.releaseHelloSlot();
            }
        }

        private void oversize(final int length) {
            counters.onOversizeFrameDropped();
            if (!oversizeReported) {
                oversizeReported = true;
                guard.onFirstOversizeFrame(length);
            }
        }

        private void malformed(final String reason) {
            counters.onMalformedConnection();
            errorHandler.onError(new FrameFormatException("pipe connection sent garbage, dropped: reason=" + reason
                + ", inbox=" + NodeIds.format(nodeId) + ", name=" + name));
        }
    }
}
