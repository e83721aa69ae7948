package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.NativeCallException;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link Win32MailslotApi} that behaves as the Win32 documentation and the shared Windows notes describe:
 * one owner per name ({@code ERROR_ALREADY_EXISTS}), whole-message reads that fail with
 * {@code ERROR_INSUFFICIENT_BUFFER} when the buffer is short, read timeouts ({@code ERROR_SEM_TIMEOUT}), writers that
 * need an existing slot ({@code ERROR_FILE_NOT_FOUND}), and the slot gone when its owner's handle closes. A queue
 * quota, when set, makes writes fail with {@code ERROR_NOT_ENOUGH_QUOTA}.
 */
final class FakeWin32MailslotApi implements Win32MailslotApi {
    static final String USER_SID = "S-1-5-21-1004336348-1177238915-682003330-1001";

    final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(0x100);
    volatile int quota = Integer.MAX_VALUE;

    /** A mailslot. */
    static final class Slot {
        final String name;
        final int maxMessageSize;
        volatile int readTimeout;
        final byte[] securityDescriptor;
        final ArrayDeque<byte[]> messages = new ArrayDeque<>();
        volatile boolean deleted;

        Slot(final String name, final int maxMessageSize, final int readTimeout, final byte[] securityDescriptor) {
            this.name = name;
            this.maxMessageSize = maxMessageSize;
            this.readTimeout = readTimeout;
            this.securityDescriptor = securityDescriptor;
        }

        /** Queues a message as any writer would, bypassing the size check (as Wine does). */
        synchronized void inject(final byte[] message) {
            messages.add(message);
            notifyAll();
        }
    }

    private record Handle(Slot slot, boolean server) {
    }

    int openHandles() {
        return handles.size();
    }

    @Override
    public String currentUserSid() {
        return USER_SID;
    }

    @Override
    public long CreateMailslot(final String lpName, final int nMaxMessageSize, final int lReadTimeout,
        final byte[] securityDescriptor) {
        final Slot slot = new Slot(lpName.toLowerCase(), nMaxMessageSize, lReadTimeout, securityDescriptor);
        if (slots.putIfAbsent(slot.name, slot) != null) {
            throw error("CreateMailslot", ERROR_ALREADY_EXISTS, "Cannot create a file when that file already exists.");
        }
        return register(new Handle(slot, true));
    }

    @Override
    public void GetMailslotInfo(final long hMailslot, final MailslotInfo info) {
        final Slot slot = server(hMailslot, "GetMailslotInfo");
        synchronized (slot) {
            info.maxMessageSize = slot.maxMessageSize;
            info.nextSize = slot.messages.isEmpty() ? MAILSLOT_NO_MESSAGE : slot.messages.peek().length;
            info.messageCount = slot.messages.size();
            info.readTimeout = slot.readTimeout;
        }
    }

    @Override
    public void SetMailslotInfo(final long hMailslot, final int lReadTimeout) {
        server(hMailslot, "SetMailslotInfo").readTimeout = lReadTimeout;
    }

    @Override
    public long CreateFile(final String lpFileName, final int dwDesiredAccess, final int dwShareMode,
        final int dwCreationDisposition, final int dwFlagsAndAttributes) {
        if (dwDesiredAccess != GENERIC_WRITE || dwShareMode != (FILE_SHARE_READ | FILE_SHARE_WRITE)
            || dwCreationDisposition != OPEN_EXISTING) {
            throw error("CreateFile", 87, "The parameter is incorrect.");
        }
        final Slot slot = slots.get(lpFileName.toLowerCase());
        if (slot == null) {
            throw error("CreateFile", ERROR_FILE_NOT_FOUND, "The system cannot find the file specified.");
        }
        return register(new Handle(slot, false));
    }

    @Override
    public int ReadFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToRead) {
        final Slot slot = server(hFile, "ReadFile");
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, slot.readTimeout));
        synchronized (slot) {
            while (slot.messages.isEmpty()) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || slot.deleted) {
                    throw error("ReadFile", ERROR_SEM_TIMEOUT, "The semaphore timeout period has expired.");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(slot, remaining);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw error("ReadFile", 995, "aborted");
                }
            }
            final byte[] message = slot.messages.peek();
            if (message.length > nNumberOfBytesToRead) {
                throw error("ReadFile", ERROR_INSUFFICIENT_BUFFER, "The data area passed to a system call is too "
                    + "small.");
            }
            slot.messages.poll();
            slot.notifyAll();
            lpBuffer.duplicate().put(message);
            return message.length;
        }
    }

    @Override
    public int WriteFile(final long hFile, final ByteBuffer lpBuffer, final int nNumberOfBytesToWrite) {
        final Handle handle = handles.get(hFile);
        if (handle == null || handle.server()) {
            throw error("WriteFile", 6, "The handle is invalid.");
        }
        final Slot slot = handle.slot();
        if (slot.deleted) {
            throw error("WriteFile", ERROR_FILE_NOT_FOUND, "The system cannot find the file specified.");
        }
        if (slot.maxMessageSize != 0 && nNumberOfBytesToWrite > slot.maxMessageSize) {
            throw error("WriteFile", 87, "The parameter is incorrect.");
        }
        final byte[] message = new byte[nNumberOfBytesToWrite];
        lpBuffer.duplicate().get(message);
        synchronized (slot) {
            if (slot.messages.size() >= quota) {
                throw error("WriteFile", ERROR_NOT_ENOUGH_QUOTA, "Not enough quota is available to process this "
                    + "command.");
            }
            slot.messages.add(message);
            slot.notifyAll();
        }
        return nNumberOfBytesToWrite;
    }

    @Override
    public void CloseHandle(final long hObject) {
        final Handle handle = handles.remove(hObject);
        if (handle == null) {
            throw error("CloseHandle", 6, "The handle is invalid.");
        }
        if (handle.server()) {
            final Slot slot = handle.slot();
            synchronized (slot) {
                slot.deleted = true;
                slot.notifyAll();
            }
            slots.remove(slot.name, slot);
        }
    }

    private long register(final Handle handle) {
        final long value = nextHandle.getAndAdd(4);
        handles.put(value, handle);
        return value;
    }

    private Slot server(final long handle, final String function) {
        final Handle found = handles.get(handle);
        if (found == null || !found.server()) {
            throw error(function, 6, "The handle is invalid.");
        }
        return found.slot();
    }

    private static NativeCallException error(final String function, final int code, final String text) {
        return new NativeCallException(function, code, text, "fake");
    }
}
