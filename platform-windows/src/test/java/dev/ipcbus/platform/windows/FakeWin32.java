// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;

/**
 * The one in-memory {@link Win32}: the named-pipe, mailslot, file-mapping, event and security semantics the Windows
 * layers rely on, as the Win32 documentation and shared/WINDOWS-NOTES.md describe them, so the layers' logic runs on
 * any OS. One monitor guards everything; every state change notifies all waiters.
 * <ul>
 *   <li>Pipes: instances per name and {@code FILE_FLAG_FIRST_PIPE_INSTANCE} ({@code ERROR_ACCESS_DENIED}),
 *   {@code ERROR_PIPE_BUSY}/{@code WaitNamedPipeW}, message queues with a byte quota per instance (a write that does
 *   not fit stays pending: {@code ERROR_IO_PENDING}), {@code ERROR_MORE_DATA} with {@code PeekNamedPipe}'s bytes
 *   left, {@code CancelIoEx} of blocking and overlapped I/O ({@code ERROR_NOT_FOUND} when nothing is pending), the
 *   disconnect errors, and an instance its server disconnected taking no client until {@code ConnectNamedPipe}.</li>
 *   <li>Mailslots: one owner per name ({@code ERROR_ALREADY_EXISTS}), whole-message reads
 *   ({@code ERROR_INSUFFICIENT_BUFFER} when short), read time-outs ({@code ERROR_SEM_TIMEOUT}), writers need an
 *   existing slot ({@code ERROR_FILE_NOT_FOUND}); a message quota makes writes fail with
 *   {@code ERROR_NOT_ENOUGH_QUOTA}.</li>
 *   <li>Mappings and events: named objects, {@code ERROR_ALREADY_EXISTS} on create, {@code ERROR_FILE_NOT_FOUND} on
 *   open, {@code ERROR_INVALID_HANDLE} for a name of another type, names gone with their last handle, zero-filled
 *   memory; manual- and auto-reset events.</li>
 *   <li>Security: a process token whose {@code TokenUser} SID converts to {@link #USER_SID}; SDDL descriptors kept by
 *   address until {@code LocalFree}, so a test can ask which SDDL an object was created with.</li>
 * </ul>
 * Any function can be made to fail with {@link #failNext(String, int, int)}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class FakeWin32 implements Win32 {
    /** The SID of the fake token's user. */
    public static final String USER_SID = "S-1-5-21-1004336348-1177238915-682003330-1001";

    /** A create call, for assertions: the function, the name, the flags and the SDDL it was given. */
    public record Created(String function, String name, int flags, int mode, int size, String sddl,
        boolean succeeded) {
    }

    private final Object lock = new Object();
    private final Map<Long, Object> handles = new HashMap<>();
    private final Map<String, List<PipeServer>> pipes = new HashMap<>();
    private final Map<String, Slot> slots = new HashMap<>();
    private final Map<String, Object> named = new HashMap<>();
    private final Map<Long, Overlapped> overlapped = new HashMap<>();
    private final Map<Long, ByteBuffer> views = new HashMap<>();
    private final Map<Long, String> descriptors = new HashMap<>();
    private final Set<Long> sids = new HashSet<>();
    private final Map<String, int[]> failures = new HashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    /** Every create call, in order. */
    public final List<Created> created = new CopyOnWriteArrayList<>();
    /** Names of calls tests look for ({@code CreateFileW:flags}, {@code WaitNamedPipeW}, ...), in order. */
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private long nextHandle = 0x100;
    private int pipeQuota = 64 * 1024;
    private int mailslotQuota = Integer.MAX_VALUE;
    private int busy;
    private int unmapped;

    /** A pipe server instance. */
    private static final class PipeServer {
        final String name;
        final Deque<Message> queue = new ArrayDeque<>();
        PipeClient client;
        int queued;
        int blocking;
        boolean cancel;
        boolean closed;
        /** Disconnected by the server: no client may connect until it calls ConnectNamedPipe again (Win32 docs). */
        boolean disconnected;

        PipeServer(final String name) {
            this.name = name;
        }
    }

    /** A pipe client end. */
    private static final class PipeClient {
        PipeServer server;
        final Deque<Overlapped> pending = new ArrayDeque<>();
        int mode;
        boolean closed;
    }

    /**
     * One pipe message; a truncated one never completes (its writer died inside it); a vanishing one is a pending
     * write cancelled after its first bytes were read: once those are read, its remainder is gone and the next read
     * returns the next message (what transport-pipe's {@code src/test/c/pipe_probe.c} shows under Wine).
     */
    private static final class Message {
        final byte[] data;
        final int declared;
        final boolean vanishing;
        int offset;

        Message(final byte[] data, final int declared, final boolean vanishing) {
            this.data = data;
            this.declared = declared;
            this.vanishing = vanishing;
        }
    }

    /** A mailslot. */
    private static final class Slot {
        final String name;
        final int maxMessageSize;
        final String sddl;
        final Deque<byte[]> messages = new ArrayDeque<>();
        int readTimeout;
        boolean deleted;

        Slot(final String name, final int maxMessageSize, final int readTimeout, final String sddl) {
            this.name = name;
            this.maxMessageSize = maxMessageSize;
            this.readTimeout = readTimeout;
            this.sddl = sddl;
        }
    }

    /** A mailslot handle: the server's, or a writer's. */
    private record SlotHandle(Slot slot, boolean server) {
    }

    /** An event, manual- or auto-reset, named or not. */
    private static final class Event {
        final String name;
        final boolean manualReset;
        boolean signaled;
        int handleCount;

        Event(final String name, final boolean manualReset, final boolean signaled) {
            this.name = name;
            this.manualReset = manualReset;
            this.signaled = signaled;
        }
    }

    /** A named file mapping. */
    private static final class Mapping {
        final String name;
        final ByteBuffer memory;
        int handleCount;

        Mapping(final String name, final long size) {
            this.name = name;
            this.memory = ByteBuffer.allocateDirect((int) size);
        }
    }

    /** A process token. */
    private static final class Token {
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

    // ---- test controls ----

    /**
     * Makes the next {@code times} calls of {@code function} fail with {@code code} (returning what that function
     * returns on failure) before they do anything.
     *
     * @param function the Win32 name, e.g. {@code "ConvertStringSecurityDescriptorToSecurityDescriptorW"}.
     * @param code     the error.
     * @param times    how many calls.
     */
    public void failNext(final String function, final int code, final int times) {
        synchronized (lock) {
            failures.put(function, new int[] {code, times});
        }
    }

    /**
     * @param bytes the bytes one pipe instance queues before writes stay pending.
     */
    public void pipeQuota(final int bytes) {
        synchronized (lock) {
            pipeQuota = bytes;
        }
    }

    /**
     * @param messages the messages one mailslot queues before writes fail with {@code ERROR_NOT_ENOUGH_QUOTA}.
     */
    public void mailslotQuota(final int messages) {
        synchronized (lock) {
            mailslotQuota = messages;
        }
    }

    /**
     * @param times how many pipe opens (or waits) answer {@code ERROR_PIPE_BUSY} first.
     */
    public void busy(final int times) {
        synchronized (lock) {
            busy = times;
        }
    }

    /**
     * @return handles not closed yet.
     */
    public int openHandles() {
        synchronized (lock) {
            return handles.size();
        }
    }

    /**
     * @return {@code OVERLAPPED}s not freed yet.
     */
    public int pendingOverlapped() {
        synchronized (lock) {
            return overlapped.size();
        }
    }

    /**
     * @return security descriptors not freed ({@code LocalFree}) yet.
     */
    public int liveDescriptors() {
        synchronized (lock) {
            return descriptors.size();
        }
    }

    /**
     * @return views unmapped so far.
     */
    public int unmappedViews() {
        synchronized (lock) {
            return unmapped;
        }
    }

    /**
     * @return the names (lower case) of the mailslots that exist.
     */
    public Set<String> mailslots() {
        synchronized (lock) {
            return Set.copyOf(slots.keySet());
        }
    }

    /**
     * @return whether a mailslot of that name exists.
     */
    public boolean mailslotExists(final String name) {
        synchronized (lock) {
            return slots.containsKey(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * @return the SDDL a mailslot was created with.
     */
    public String mailslotSddl(final String name) {
        synchronized (lock) {
            return slots.get(name.toLowerCase(Locale.ROOT)).sddl;
        }
    }

    /**
     * Queues a message in a mailslot as any writer would, bypassing the size check (as Wine does).
     */
    public void injectMailslotMessage(final String name, final byte[] message) {
        synchronized (lock) {
            slots.get(name.toLowerCase(Locale.ROOT)).messages.add(message);
            lock.notifyAll();
        }
    }

    /**
     * @return the names of the named mappings and events that exist.
     */
    public Set<String> namedObjects() {
        synchronized (lock) {
            return Set.copyOf(named.keySet());
        }
    }

    /**
     * @return whether a named mapping or event of that name exists.
     */
    public boolean namedObjectExists(final String name) {
        synchronized (lock) {
            return named.containsKey(name);
        }
    }

    /** Queues the first bytes of a pipe message declared longer whose write is then cancelled (see {@link Message}). */
    public void writeCancelledAfterPartialRead(final long client, final byte[] bytes, final int declared) {
        synchronized (lock) {
            final PipeClient c = (PipeClient) handles.get(client);
            c.server.queue.add(new Message(bytes, declared, true));
            c.server.queued += bytes.length;
            lock.notifyAll();
        }
    }

    /** Queues the first bytes of a pipe message declared longer, then closes the client: a writer killed mid-write. */
    public void writeTruncatedAndDie(final long client, final byte[] bytes, final int declared) {
        synchronized (lock) {
            final PipeClient c = (PipeClient) handles.get(client);
            c.server.queue.add(new Message(bytes, declared, false));
            c.server.queued += bytes.length;
            closeClient(client, c);
            lock.notifyAll();
        }
    }

    // ---- Win32 ----

    private boolean fail(final int error) {
        lastError.get()[0] = error;
        return false;
    }

    private void succeed() {
        lastError.get()[0] = ERROR_SUCCESS;
    }

    /** @return whether an injected failure applies (the error is then set). */
    private boolean injected(final String function) {
        final int[] failure = failures.get(function);
        if (failure == null || failure[1] <= 0) {
            return false;
        }
        failure[1]--;
        return !fail(failure[0]);
    }

    private long register(final Object object) {
        final long handle = nextHandle;
        nextHandle += 4;
        handles.put(handle, object);
        succeed();
        return handle;
    }

    private String sddl(final SECURITY_ATTRIBUTES attributes) {
        return attributes == null ? null : descriptors.get(Pointer.nativeValue(attributes.lpSecurityDescriptor));
    }

    @Override
    public long CreateNamedPipeW(final String lpName, final int dwOpenMode, final int dwPipeMode,
        final int nMaxInstances, final int nOutBufferSize, final int nInBufferSize, final int nDefaultTimeOut,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        synchronized (lock) {
            final String sddl = sddl(lpSecurityAttributes);
            final List<PipeServer> instances = pipes.computeIfAbsent(lpName, n -> new ArrayList<>());
            if (injected("CreateNamedPipeW")
                || (dwOpenMode & FILE_FLAG_FIRST_PIPE_INSTANCE) != 0 && !instances.isEmpty() && !fail(
                ERROR_ACCESS_DENIED)) {
                created.add(new Created("CreateNamedPipeW", lpName, dwOpenMode, dwPipeMode, nInBufferSize, sddl,
                    false));
                return INVALID_HANDLE_VALUE;
            }
            created.add(new Created("CreateNamedPipeW", lpName, dwOpenMode, dwPipeMode, nInBufferSize, sddl, true));
            final PipeServer server = new PipeServer(lpName);
            instances.add(server);
            lock.notifyAll();
            return register(server);
        }
    }

    @Override
    public boolean ConnectNamedPipe(final long hNamedPipe) {
        synchronized (lock) {
            final PipeServer server = (PipeServer) handles.get(hNamedPipe);
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
            final PipeServer server = (PipeServer) handles.get(hNamedPipe);
            if (server.client != null) {
                server.client.server = null;
                failPending(server.client, ERROR_PIPE_NOT_CONNECTED);
            }
            server.client = null;
            server.disconnected = true;
            server.queue.clear();
            server.queued = 0;
            lock.notifyAll();
            succeed();
            return true;
        }
    }

    @Override
    public boolean WaitNamedPipeW(final String lpNamedPipeName, final int nTimeOut) {
        synchronized (lock) {
            calls.add("WaitNamedPipeW");
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nTimeOut);
            while (true) {
                final List<PipeServer> instances = pipes.get(lpNamedPipeName);
                if (instances == null || instances.isEmpty()) {
                    return fail(ERROR_FILE_NOT_FOUND);
                }
                if (busy == 0 && instances.stream().anyMatch(FakeWin32::connectable)) {
                    succeed();
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
            ((PipeClient) handles.get(hNamedPipe)).mode = lpMode;
            succeed();
            return true;
        }
    }

    @Override
    public boolean PeekNamedPipe(final long hNamedPipe, final int[] lpTotalBytesAvail,
        final int[] lpBytesLeftThisMessage) {
        synchronized (lock) {
            final PipeServer server = (PipeServer) handles.get(hNamedPipe);
            final Message head = server.queue.peek();
            lpTotalBytesAvail[0] = server.queued;
            lpBytesLeftThisMessage[0] = head == null ? 0 : head.declared - head.offset;
            succeed();
            return true;
        }
    }

    @Override
    public long CreateFileW(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final SECURITY_ATTRIBUTES lpSecurityAttributes, final int dwCreationDisposition,
        final int dwFlagsAndAttributes) {
        synchronized (lock) {
            calls.add("CreateFileW:" + Integer.toHexString(dwFlagsAndAttributes));
            if (injected("CreateFileW")) {
                return INVALID_HANDLE_VALUE;
            }
            if (lpFileName.toLowerCase(Locale.ROOT).startsWith("\\\\.\\mailslot\\")) {
                return openMailslot(lpFileName, dwDesiredAccess, dwShareMode, dwCreationDisposition);
            }
            final List<PipeServer> instances = pipes.get(lpFileName);
            if (instances == null || instances.isEmpty()) {
                fail(ERROR_FILE_NOT_FOUND);
                return INVALID_HANDLE_VALUE;
            }
            if (busy > 0) {
                busy--;
                fail(ERROR_PIPE_BUSY);
                return INVALID_HANDLE_VALUE;
            }
            for (final PipeServer server : instances) {
                if (connectable(server)) {
                    final PipeClient client = new PipeClient();
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

    private long openMailslot(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition) {
        if (dwDesiredAccess != GENERIC_WRITE || dwShareMode != (FILE_SHARE_READ | FILE_SHARE_WRITE)
            || dwCreationDisposition != OPEN_EXISTING) {
            fail(ERROR_INVALID_PARAMETER);
            return INVALID_HANDLE_VALUE;
        }
        final Slot slot = slots.get(lpFileName.toLowerCase(Locale.ROOT));
        if (slot == null) {
            fail(ERROR_FILE_NOT_FOUND);
            return INVALID_HANDLE_VALUE;
        }
        return register(new SlotHandle(slot, false));
    }

    /** A client may connect to an instance that is free, open, and not disconnected by its server. */
    private static boolean connectable(final PipeServer server) {
        return server.client == null && !server.closed && !server.disconnected;
    }

    @Override
    public boolean ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead,
        final int[] lpNumberOfBytesRead) {
        synchronized (lock) {
            lpNumberOfBytesRead[0] = 0;
            final Object object = handles.get(hFile);
            if (object instanceof SlotHandle handle && handle.server()) {
                return readMailslot(handle.slot(), lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead);
            }
            if (!(object instanceof PipeServer)) {
                return fail(ERROR_INVALID_HANDLE);
            }
            final PipeServer server = (PipeServer) object;
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
                        final int count = Math.min(nNumberOfBytesToRead, head.data.length - head.offset);
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
                            succeed();
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

    private boolean readMailslot(final Slot slot, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead,
        final int[] lpNumberOfBytesRead) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, slot.readTimeout));
        while (slot.messages.isEmpty()) {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || slot.deleted) {
                return fail(ERROR_SEM_TIMEOUT);
            }
            waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
        final byte[] message = slot.messages.peek();
        if (message.length > nNumberOfBytesToRead) {
            return fail(ERROR_INSUFFICIENT_BUFFER);
        }
        slot.messages.poll();
        lock.notifyAll();
        lpBuffer.duplicate().put(message);
        lpNumberOfBytesRead[0] = message.length;
        succeed();
        return true;
    }

    @Override
    public boolean WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite,
        final int[] lpNumberOfBytesWritten, final long lpOverlapped) {
        synchronized (lock) {
            if (injected("WriteFile")) {
                return false;
            }
            final byte[] data = new byte[nNumberOfBytesToWrite];
            lpBuffer.duplicate().get(data);
            final Object object = handles.get(hFile);
            if (object instanceof SlotHandle handle && !handle.server()) {
                return writeMailslot(handle.slot(), data, lpNumberOfBytesWritten);
            }
            if (!(object instanceof PipeClient)) {
                return fail(ERROR_INVALID_HANDLE);
            }
            final PipeClient client = (PipeClient) object;
            final Overlapped io = overlapped.get(lpOverlapped);
            ((Event) handles.get(io.event)).signaled = false;
            io.done = false;
            io.data = data;
            final PipeServer server = client.server;
            if (server == null || server.closed || server.client != client) {
                return fail(server == null ? ERROR_PIPE_NOT_CONNECTED : ERROR_NO_DATA);
            }
            if (client.pending.isEmpty() && (server.queue.isEmpty() || server.queued + data.length <= pipeQuota)) {
                enqueue(server, data);
                complete(io, true, 0, data.length);
                succeed();
                return true;
            }
            client.pending.add(io);
            return fail(ERROR_IO_PENDING);
        }
    }

    private boolean writeMailslot(final Slot slot, final byte[] data, final int[] lpNumberOfBytesWritten) {
        if (slot.deleted) {
            return fail(ERROR_FILE_NOT_FOUND);
        }
        if (slot.maxMessageSize != 0 && data.length > slot.maxMessageSize) {
            return fail(ERROR_INVALID_PARAMETER);
        }
        if (slot.messages.size() >= mailslotQuota) {
            return fail(ERROR_NOT_ENOUGH_QUOTA);
        }
        slot.messages.add(data);
        lock.notifyAll();
        lpNumberOfBytesWritten[0] = data.length;
        succeed();
        return true;
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
            if (io.ok) {
                succeed();
                return true;
            }
            return fail(io.error);
        }
    }

    @Override
    public boolean CancelIoEx(final long hFile, final long lpOverlapped) {
        synchronized (lock) {
            calls.add("CancelIoEx");
            final Object object = handles.get(hFile);
            if (object instanceof PipeClient client) {
                boolean any = false;
                for (final Overlapped io : new ArrayList<>(client.pending)) {
                    if (lpOverlapped == 0 || overlapped.get(lpOverlapped) == io) {
                        client.pending.remove(io);
                        complete(io, false, ERROR_OPERATION_ABORTED, 0);
                        any = true;
                    }
                }
                if (any) {
                    succeed();
                }
                return any || fail(ERROR_NOT_FOUND);
            }
            if (object instanceof PipeServer server && server.blocking > 0) {
                server.cancel = true;
                lock.notifyAll();
                succeed();
                return true;
            }
            return fail(ERROR_NOT_FOUND);
        }
    }

    @Override
    public long CreateEventW(final SECURITY_ATTRIBUTES lpEventAttributes, final boolean bManualReset,
        final boolean bInitialState, final String lpName) {
        synchronized (lock) {
            created.add(new Created("CreateEventW", lpName, bManualReset ? 1 : 0, 0, 0, sddl(lpEventAttributes),
                true));
            if (injected("CreateEventW")) {
                return 0;
            }
            if (lpName == null) {
                final Event event = new Event(null, bManualReset, bInitialState);
                event.handleCount++;
                return register(event);
            }
            final Object existing = named.get(lpName);
            if (existing instanceof Mapping) {
                fail(ERROR_INVALID_HANDLE);
                return 0;
            }
            if (existing instanceof Event event) {
                event.handleCount++;
                final long handle = register(event);
                fail(ERROR_ALREADY_EXISTS);
                return handle;
            }
            final Event event = new Event(lpName, bManualReset, bInitialState);
            named.put(lpName, event);
            event.handleCount++;
            return register(event);
        }
    }

    @Override
    public long OpenEventW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        synchronized (lock) {
            final Object existing = named.get(lpName);
            if (existing instanceof Event event) {
                event.handleCount++;
                return register(event);
            }
            fail(existing == null ? ERROR_FILE_NOT_FOUND : ERROR_INVALID_HANDLE);
            return 0;
        }
    }

    @Override
    public boolean SetEvent(final long hEvent) {
        synchronized (lock) {
            if (!(handles.get(hEvent) instanceof Event event)) {
                return fail(ERROR_INVALID_HANDLE);
            }
            event.signaled = true;
            lock.notifyAll();
            succeed();
            return true;
        }
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        synchronized (lock) {
            if (!(handles.get(hHandle) instanceof Event event)) {
                fail(ERROR_INVALID_HANDLE);
                return WAIT_FAILED;
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dwMilliseconds);
            while (!event.signaled) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    succeed();
                    return WAIT_TIMEOUT;
                }
                waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            }
            if (!event.manualReset) {
                event.signaled = false;
            }
            succeed();
            return WAIT_OBJECT_0;
        }
    }

    @Override
    public boolean CloseHandle(final long hObject) {
        synchronized (lock) {
            final Object object = handles.remove(hObject);
            if (object == null) {
                return fail(ERROR_INVALID_HANDLE);
            }
            if (object instanceof PipeServer server) {
                server.closed = true;
                pipes.get(server.name).remove(server);
                if (server.client != null) {
                    failPending(server.client, ERROR_BROKEN_PIPE);
                }
            } else if (object instanceof PipeClient client) {
                client.closed = true;
                failPending(client, ERROR_OPERATION_ABORTED);
            } else if (object instanceof SlotHandle handle && handle.server()) {
                handle.slot().deleted = true;
                slots.remove(handle.slot().name, handle.slot());
            } else if (object instanceof Mapping mapping && --mapping.handleCount == 0) {
                named.remove(mapping.name);
            } else if (object instanceof Event event && --event.handleCount == 0 && event.name != null) {
                named.remove(event.name);
            }
            lock.notifyAll();
            succeed();
            return true;
        }
    }

    @Override
    public long CreateFileMappingW(final SECURITY_ATTRIBUTES lpFileMappingAttributes, final int flProtect,
        final int dwMaximumSizeHigh, final int dwMaximumSizeLow, final String lpName) {
        synchronized (lock) {
            final long size = ((long) dwMaximumSizeHigh << 32) | (dwMaximumSizeLow & 0xFFFF_FFFFL);
            created.add(new Created("CreateFileMappingW", lpName, flProtect, 0, (int) size,
                sddl(lpFileMappingAttributes), true));
            if (injected("CreateFileMappingW")) {
                return 0;
            }
            final Object existing = named.get(lpName);
            if (existing instanceof Event) {
                fail(ERROR_INVALID_HANDLE);
                return 0;
            }
            if (existing instanceof Mapping mapping) {
                mapping.handleCount++;
                final long handle = register(mapping);
                fail(ERROR_ALREADY_EXISTS);
                return handle;
            }
            final Mapping mapping = new Mapping(lpName, size);
            named.put(lpName, mapping);
            mapping.handleCount++;
            return register(mapping);
        }
    }

    @Override
    public long OpenFileMappingW(final int dwDesiredAccess, final boolean bInheritHandle, final String lpName) {
        synchronized (lock) {
            final Object existing = named.get(lpName);
            if (existing instanceof Mapping mapping) {
                mapping.handleCount++;
                return register(mapping);
            }
            fail(existing == null ? ERROR_FILE_NOT_FOUND : ERROR_INVALID_HANDLE);
            return 0;
        }
    }

    @Override
    public long MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess, final int dwFileOffsetHigh,
        final int dwFileOffsetLow, final long dwNumberOfBytesToMap) {
        synchronized (lock) {
            if (!(handles.get(hFileMappingObject) instanceof Mapping mapping)
                || dwNumberOfBytesToMap > mapping.memory.capacity()) {
                fail(ERROR_ACCESS_DENIED);
                return 0;
            }
            final long address = nextHandle++ << 20;
            views.put(address, mapping.memory.duplicate().limit((int) dwNumberOfBytesToMap).slice());
            succeed();
            return address;
        }
    }

    @Override
    public ByteBuffer wrapView(final long lpBaseAddress, final int length) {
        synchronized (lock) {
            return views.get(lpBaseAddress).duplicate().limit(length).slice().order(ByteOrder.nativeOrder());
        }
    }

    @Override
    public boolean UnmapViewOfFile(final long lpBaseAddress) {
        synchronized (lock) {
            unmapped++;
            if (views.remove(lpBaseAddress) == null) {
                return fail(487); // ERROR_INVALID_ADDRESS
            }
            succeed();
            return true;
        }
    }

    @Override
    public long CreateMailslotW(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final SECURITY_ATTRIBUTES lpSecurityAttributes) {
        synchronized (lock) {
            final String sddl = sddl(lpSecurityAttributes);
            created.add(new Created("CreateMailslotW", lpName, 0, lReadTimeout, nMaxMessageSize, sddl, true));
            if (injected("CreateMailslotW")) {
                return INVALID_HANDLE_VALUE;
            }
            final Slot slot = new Slot(lpName.toLowerCase(Locale.ROOT), nMaxMessageSize, lReadTimeout, sddl);
            if (slots.putIfAbsent(slot.name, slot) != null) {
                fail(ERROR_ALREADY_EXISTS);
                return INVALID_HANDLE_VALUE;
            }
            return register(new SlotHandle(slot, true));
        }
    }

    @Override
    public boolean GetMailslotInfo(final long hMailslot, final int[] lpMaxMessageSize, final int[] lpNextSize,
        final int[] lpMessageCount, final int[] lpReadTimeout) {
        synchronized (lock) {
            if (!(handles.get(hMailslot) instanceof SlotHandle handle) || !handle.server()) {
                return fail(ERROR_INVALID_HANDLE);
            }
            final Slot slot = handle.slot();
            set(lpMaxMessageSize, slot.maxMessageSize);
            set(lpNextSize, slot.messages.isEmpty() ? MAILSLOT_NO_MESSAGE : slot.messages.peek().length);
            set(lpMessageCount, slot.messages.size());
            set(lpReadTimeout, slot.readTimeout);
            succeed();
            return true;
        }
    }

    private static void set(final int[] out, final int value) {
        if (out != null) {
            out[0] = value;
        }
    }

    @Override
    public boolean SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        synchronized (lock) {
            if (!(handles.get(hMailslot) instanceof SlotHandle handle) || !handle.server()) {
                return fail(ERROR_INVALID_HANDLE);
            }
            handle.slot().readTimeout = lReadTimeout;
            succeed();
            return true;
        }
    }

    @Override
    public long GetCurrentProcess() {
        succeed();
        return -1;
    }

    @Override
    public boolean OpenProcessToken(final long ProcessHandle, final int DesiredAccess, final long[] TokenHandle) {
        synchronized (lock) {
            if (injected("OpenProcessToken")) {
                return false;
            }
            TokenHandle[0] = register(new Token());
            return true;
        }
    }

    @Override
    public boolean GetTokenInformation(final long TokenHandle, final int TokenInformationClass,
        final ByteBuffer TokenInformation, final int TokenInformationLength, final int[] ReturnLength) {
        synchronized (lock) {
            if (injected("GetTokenInformation")) {
                return false;
            }
            if (!(handles.get(TokenHandle) instanceof Token) || TokenInformationClass != TokenUser) {
                return fail(ERROR_INVALID_PARAMETER);
            }
            final int sidOffset = 16;
            final int needed = sidOffset + 8 + 4 * 5; // TOKEN_USER, then a SID with five sub-authorities
            ReturnLength[0] = needed;
            if (TokenInformation == null || TokenInformationLength < needed) {
                return fail(ERROR_INSUFFICIENT_BUFFER);
            }
            final long address = Pointer.nativeValue(Native.getDirectBufferPointer(TokenInformation))
                + TokenInformation.position();
            final ByteBuffer out = TokenInformation.duplicate().order(ByteOrder.nativeOrder());
            out.putLong(out.position(), address + sidOffset);
            sids.add(address + sidOffset);
            succeed();
            return true;
        }
    }

    @Override
    public boolean ConvertSidToStringSidW(final long Sid, final String[] StringSid) {
        synchronized (lock) {
            if (injected("ConvertSidToStringSidW")) {
                return false;
            }
            if (!sids.contains(Sid)) {
                return fail(ERROR_INVALID_PARAMETER); // not a SID that GetTokenInformation wrote
            }
            StringSid[0] = USER_SID;
            succeed();
            return true;
        }
    }

    @Override
    public boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(final String StringSecurityDescriptor,
        final int StringSDRevision, final long[] SecurityDescriptor, final int[] SecurityDescriptorSize) {
        synchronized (lock) {
            if (injected("ConvertStringSecurityDescriptorToSecurityDescriptorW")) {
                return false;
            }
            final long address = nextHandle++ << 24;
            descriptors.put(address, StringSecurityDescriptor);
            SecurityDescriptor[0] = address;
            set(SecurityDescriptorSize, 20 + 2 * StringSecurityDescriptor.length());
            succeed();
            return true;
        }
    }

    @Override
    public long LocalFree(final long hMem) {
        synchronized (lock) {
            if (descriptors.remove(hMem) == null) {
                fail(ERROR_INVALID_HANDLE);
                return hMem;
            }
            succeed();
            return 0;
        }
    }

    @Override
    public int FormatMessageW(final int dwMessageId, final StringBuilder lpBuffer) {
        final String text = "fake error " + dwMessageId;
        lpBuffer.append(text);
        succeed();
        return text.length();
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

    private void closeClient(final long handle, final PipeClient client) {
        handles.remove(handle);
        client.closed = true;
        failPending(client, ERROR_OPERATION_ABORTED);
    }

    private void failPending(final PipeClient client, final int error) {
        for (final Overlapped io : client.pending) {
            complete(io, false, error, 0);
        }
        client.pending.clear();
    }

    private void enqueue(final PipeServer server, final byte[] data) {
        server.queue.add(new Message(data, data.length, false));
        server.queued += data.length;
        lock.notifyAll();
    }

    /** Moves pending writes of the instance's client into the queue while they fit. */
    private void promote(final PipeServer server) {
        final PipeClient client = server.client;
        while (client != null && !client.pending.isEmpty()) {
            final Overlapped io = client.pending.peek();
            if (!server.queue.isEmpty() && server.queued + io.data.length > pipeQuota) {
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
        if (handles.get(io.event) instanceof Event event) {
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
