package dev.ipcbus.transport.pipe.windows;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory model of the named-pipe semantics {@link Win32PipeApi} exposes, so that the Windows layer's server
 * and client state machines run on any OS. It models what the layer relies on, as the Win32 documentation and
 * shared/WINDOWS-NOTES.md describe it: instances per name and {@code FILE_FLAG_FIRST_PIPE_INSTANCE}
 * ({@code ERROR_ACCESS_DENIED}), {@code ERROR_PIPE_BUSY}/{@code WaitNamedPipe}, message queues with a byte quota
 * per instance (a write that does not fit stays pending: {@code ERROR_IO_PENDING}), {@code ERROR_MORE_DATA} with
 * {@code PeekNamedPipe}'s bytes left, {@code CancelIoEx} of blocking and overlapped I/O ({@code ERROR_NOT_FOUND} when
 * nothing is pending, so a cancel that comes too early is lost, as on Windows), manual-reset events, the disconnect
 * errors, and an instance its server disconnected taking no client until the server calls {@code ConnectNamedPipe}. One global monitor; every state change notifies all.
 */
final class FakeWin32PipeApi implements Win32PipeApi {
    static final String USER_SID = "S-1-5-21-1111-2222-3333-1001";

    /** A {@code CreateNamedPipe} call, for assertions. */
    record Created(String name, int openMode, int pipeMode, int inBufferSize, String sddl, boolean succeeded) {
    }

    private final Object lock = new Object();
    private final Map<Long, Object> handles = new HashMap<>();
    private final Map<String, List<Server>> names = new HashMap<>();
    private final Map<Long, Overlapped> overlapped = new HashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    final List<Created> created = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    private long nextHandle = 0x100;
    private int quota = 64 * 1024;
    private int busy;

    /** A server instance. */
    private static final class Server {
        final String name;
        final Deque<Message> queue = new ArrayDeque<>();
        Client client;
        int queued;
        int blocking;
        boolean cancel;
        boolean closed;
        /** Disconnected by the server: no client may connect until it calls ConnectNamedPipe again (Win32 docs). */
        boolean disconnected;

        Server(final String name) {
            this.name = name;
        }
    }

    /** A client end. */
    private static final class Client {
        Server server;
        final Deque<Overlapped> pending = new ArrayDeque<>();
        int mode;
        boolean closed;
    }

    /**
     * One message; a truncated one never completes (its writer died inside it); a vanishing one is a pending write
     * cancelled after its first bytes were read: once those are read, its remainder is gone and the next read returns
     * the next message (what {@code src/test/c/pipe_probe.c} shows under Wine).
     */
    private static final class Message {
        final byte[] data;
        final int declared;
        final boolean vanishing;
        int offset;

        Message(final byte[] data, final int declared) {
            this(data, declared, false);
        }

        Message(final byte[] data, final int declared, final boolean vanishing) {
            this.data = data;
            this.declared = declared;
            this.vanishing = vanishing;
        }
    }

    /** A manual-reset event. */
    private static final class Event {
        boolean signaled;
    }

    /** An OVERLAPPED and the write it carries. */
    private static final class Overlapped {
        final long event;
        byte[] data;
        boolean done;
        boolean ok;
        int error;
        int bytes;

        Overlapped(final long event) {
            this.event = event;
        }
    }

    void quota(final int bytes) {
        synchronized (lock) {
            quota = bytes;
        }
    }

    void busy(final int times) {
        synchronized (lock) {
            busy = times;
        }
    }

    int openHandles() {
        synchronized (lock) {
            return handles.size();
        }
    }

    int pendingOverlapped() {
        synchronized (lock) {
            return overlapped.size();
        }
    }

    /** Queues the first bytes of a message declared longer whose write is then cancelled (see {@link Message}). */
    void writeCancelledAfterPartialRead(final long client, final byte[] bytes, final int declared) {
        synchronized (lock) {
            final Client c = (Client) handles.get(client);
            c.server.queue.add(new Message(bytes, declared, true));
            c.server.queued += bytes.length;
            lock.notifyAll();
        }
    }

    /** Queues the first bytes of a message declared longer, then closes the client: a writer killed mid-write. */
    void writeTruncatedAndDie(final long client, final byte[] bytes, final int declared) {
        synchronized (lock) {
            final Client c = (Client) handles.get(client);
            c.server.queue.add(new Message(bytes, declared));
            c.server.queued += bytes.length;
            closeClient(client, c);
            lock.notifyAll();
        }
    }

    private boolean fail(final int error) {
        lastError.get()[0] = error;
        return false;
    }

    private long register(final Object object) {
        final long handle = nextHandle++;
        handles.put(handle, object);
        return handle;
    }

    @Override
    public long CreateNamedPipe(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final String lpSecurityDescriptorSddl) {
        synchronized (lock) {
            final List<Server> instances = names.computeIfAbsent(lpName, n -> new ArrayList<>());
            if ((dwOpenMode & FILE_FLAG_FIRST_PIPE_INSTANCE) != 0 && !instances.isEmpty()) {
                created.add(new Created(lpName, dwOpenMode, dwPipeMode, nInBufferSize, lpSecurityDescriptorSddl,
                    false));
                fail(ERROR_ACCESS_DENIED);
                return INVALID_HANDLE_VALUE;
            }
            created.add(new Created(lpName, dwOpenMode, dwPipeMode, nInBufferSize, lpSecurityDescriptorSddl, true));
            final Server server = new Server(lpName);
            instances.add(server);
            lock.notifyAll();
            return register(server);
        }
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        synchronized (lock) {
            final Server server = (Server) handles.get(hNamedPipe);
            if (server.client != null) {
                return fail(ERROR_PIPE_CONNECTED);
            }
            server.disconnected = false;
            lock.notifyAll();
            server.blocking++;
            try {
                while (server.client == null && !server.cancel && !server.closed) {
                    waitQuietly(0);
                }
                if (server.cancel) {
                    server.cancel = false;
                    return fail(ERROR_OPERATION_ABORTED);
                }
                return server.client != null || fail(ERROR_PIPE_NOT_CONNECTED);
            } finally {
                server.blocking--;
            }
        }
    }

    @Override
    public boolean DisconnectNamedPipe(final long hNamedPipe) {
        synchronized (lock) {
            final Server server = (Server) handles.get(hNamedPipe);
            if (server.client != null) {
                server.client.server = null;
                failPending(server.client, ERROR_PIPE_NOT_CONNECTED);
            }
            server.client = null;
            server.disconnected = true;
            server.queue.clear();
            server.queued = 0;
            lock.notifyAll();
            return true;
        }
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        synchronized (lock) {
            calls.add("CreateFile");
            final List<Server> instances = names.get(lpFileName);
            if (instances == null || instances.isEmpty()) {
                fail(ERROR_FILE_NOT_FOUND);
                return INVALID_HANDLE_VALUE;
            }
            if (busy > 0) {
                busy--;
                fail(ERROR_PIPE_BUSY);
                return INVALID_HANDLE_VALUE;
            }
            for (final Server server : instances) {
                if (connectable(server)) {
                    final Client client = new Client();
                    client.server = server;
                    server.client = client;
                    lock.notifyAll();
                    return register(client);
                }
            }
            fail(ERROR_PIPE_BUSY);
            return INVALID_HANDLE_VALUE;
        }
    }

    /** A client may connect to an instance that is free, open, and not disconnected by its server. */
    private static boolean connectable(final Server server) {
        return server.client == null && !server.closed && !server.disconnected;
    }

    @Override
    public boolean WaitNamedPipe(final String lpNamedPipeName, final int nTimeOut) {
        synchronized (lock) {
            calls.add("WaitNamedPipe");
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nTimeOut);
            while (true) {
                final List<Server> instances = names.get(lpNamedPipeName);
                if (instances == null || instances.isEmpty()) {
                    return fail(ERROR_FILE_NOT_FOUND);
                }
                if (busy == 0 && instances.stream().anyMatch(FakeWin32PipeApi::connectable)) {
                    return true;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return fail(ERROR_SEM_TIMEOUT);
                }
                if (busy > 0) {
                    busy--; // time passes: one busy answer used up per wait
                    waitQuietly(1);
                } else {
                    waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                }
            }
        }
    }

    @Override
    public boolean SetNamedPipeHandleState(final long hNamedPipe, final int lpMode) {
        synchronized (lock) {
            calls.add("SetNamedPipeHandleState:" + lpMode);
            ((Client) handles.get(hNamedPipe)).mode = lpMode;
            return true;
        }
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int[] lpNumberOfBytesRead) {
        synchronized (lock) {
            final Server server = (Server) handles.get(hFile);
            lpNumberOfBytesRead[0] = 0;
            server.blocking++;
            try {
                while (true) {
                    if (server.cancel) {
                        server.cancel = false;
                        return fail(ERROR_OPERATION_ABORTED);
                    }
                    Message head = server.queue.peek();
                    if (head != null && head.vanishing && head.offset == head.data.length) {
                        server.queue.poll();
                        server.queued -= head.data.length;
                        promote(server);
                        head = server.queue.peek();
                    }
                    final boolean stuck = head != null && head.offset == head.data.length
                        && head.declared > head.data.length;
                    if (head != null && !stuck) {
                        final int count = Math.min(lpBuffer.remaining(), head.data.length - head.offset);
                        for (int i = 0; i < count; i++) {
                            lpBuffer.put(lpBuffer.position() + i, head.data[head.offset + i]);
                        }
                        head.offset += count;
                        lpNumberOfBytesRead[0] = count;
                        if (head.offset == head.declared) {
                            server.queue.poll();
                            server.queued -= head.data.length;
                            promote(server);
                            lock.notifyAll();
                            return true;
                        }
                        return fail(ERROR_MORE_DATA);
                    }
                    if (server.client == null || server.client.closed) {
                        return fail(server.client == null ? ERROR_PIPE_NOT_CONNECTED : ERROR_BROKEN_PIPE);
                    }
                    waitQuietly(0);
                }
            } finally {
                server.blocking--;
            }
        }
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        synchronized (lock) {
            final Server server = (Server) handles.get(hNamedPipe);
            final Message head = server.queue.peek();
            lpTotalBytesAvail[0] = server.queued;
            lpBytesLeftThisMessage[0] = head == null ? 0 : head.declared - head.offset;
            return true;
        }
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final long lpOverlapped) {
        synchronized (lock) {
            final Client client = (Client) handles.get(hFile);
            final Overlapped io = overlapped.get(lpOverlapped);
            final byte[] data = new byte[lpBuffer.remaining()];
            lpBuffer.duplicate().get(data);
            ((Event) handles.get(io.event)).signaled = false;
            io.done = false;
            io.data = data;
            final Server server = client.server;
            if (server == null || server.closed || server.client != client) {
                return fail(server == null ? ERROR_PIPE_NOT_CONNECTED : ERROR_NO_DATA);
            }
            if (client.pending.isEmpty() && (server.queue.isEmpty() || server.queued + data.length <= quota)) {
                enqueue(server, data);
                complete(io, true, 0, data.length);
                return true;
            }
            client.pending.add(io);
            return fail(ERROR_IO_PENDING);
        }
    }

    @Override
    public boolean GetOverlappedResult(final long hFile, final long lpOverlapped,
        final int[] lpNumberOfBytesTransferred, final boolean bWait) {
        synchronized (lock) {
            final Overlapped io = overlapped.get(lpOverlapped);
            while (!io.done && bWait) {
                waitQuietly(0);
            }
            if (!io.done) {
                return fail(ERROR_IO_INCOMPLETE);
            }
            lpNumberOfBytesTransferred[0] = io.bytes;
            return io.ok || fail(io.error);
        }
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        synchronized (lock) {
            calls.add("CancelIoEx");
            final Object object = handles.get(hFile);
            if (object instanceof Client client) {
                boolean any = false;
                for (final Overlapped io : new ArrayList<>(client.pending)) {
                    if (lpOverlapped == 0 || overlapped.get(lpOverlapped) == io) {
                        client.pending.remove(io);
                        complete(io, false, ERROR_OPERATION_ABORTED, 0);
                        any = true;
                    }
                }
                return any || fail(ERROR_NOT_FOUND);
            }
            if (object instanceof Server server && server.blocking > 0) {
                server.cancel = true;
                lock.notifyAll();
                return true;
            }
            return fail(ERROR_NOT_FOUND);
        }
    }

    @Override
    public long CreateEvent(final boolean bManualReset, final boolean bInitialState) {
        synchronized (lock) {
            final Event event = new Event();
            event.signaled = bInitialState;
            return register(event);
        }
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        synchronized (lock) {
            final Event event = (Event) handles.get(hHandle);
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dwMilliseconds);
            while (!event.signaled) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return WAIT_TIMEOUT;
                }
                waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            }
            return WAIT_OBJECT_0;
        }
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        synchronized (lock) {
            final Object object = handles.remove(hObject);
            if (object == null) {
                return fail(6); // ERROR_INVALID_HANDLE
            }
            if (object instanceof Server server) {
                server.closed = true;
                names.get(server.name).remove(server);
                if (server.client != null) {
                    failPending(server.client, ERROR_BROKEN_PIPE);
                }
            } else if (object instanceof Client client) {
                closeClient(hObject, client);
            }
            lock.notifyAll();
            return true;
        }
    }

    @Override
    public int GetLastError() {
        return lastError.get()[0];
    }

    @Override
    public long allocateOverlapped(final long hEvent) {
        synchronized (lock) {
            final long id = nextHandle++;
            overlapped.put(id, new Overlapped(hEvent));
            return id;
        }
    }

    @Override
    public void freeOverlapped(final long lpOverlapped) {
        synchronized (lock) {
            overlapped.remove(lpOverlapped);
        }
    }

    @Override
    public String currentUserSid() {
        return USER_SID;
    }

    @Override
    public String formatMessage(final int code) {
        return "error " + code;
    }

    private void closeClient(final long handle, final Client client) {
        handles.remove(handle);
        client.closed = true;
        failPending(client, ERROR_OPERATION_ABORTED);
    }

    private void failPending(final Client client, final int error) {
        for (final Overlapped io : client.pending) {
            complete(io, false, error, 0);
        }
        client.pending.clear();
    }

    private void enqueue(final Server server, final byte[] data) {
        server.queue.add(new Message(data, data.length));
        server.queued += data.length;
        lock.notifyAll();
    }

    /** Moves pending writes of the instance's client into the queue while they fit. */
    private void promote(final Server server) {
        final Client client = server.client;
        while (client != null && !client.pending.isEmpty()) {
            final Overlapped io = client.pending.peek();
            if (!server.queue.isEmpty() && server.queued + io.data.length > quota) {
                return;
            }
            client.pending.poll();
            enqueue(server, io.data);
            complete(io, true, 0, io.data.length);
        }
    }

    private void complete(final Overlapped io, final boolean ok, final int error, final int bytes) {
        io.done = true;
        io.ok = ok;
        io.error = error;
        io.bytes = bytes;
        final Event event = (Event) handles.get(io.event);
        if (event != null) {
            event.signaled = true;
        }
        lock.notifyAll();
    }

    private void waitQuietly(final long millis) {
        try {
            lock.wait(millis);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in the fake", ex);
        }
    }
}
