package dev.ipcbus.transport.filemap.windows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link Win32FileMapApi} with Win32 semantics that matter here: named objects with
 * {@code ERROR_ALREADY_EXISTS} on create, {@code ERROR_FILE_NOT_FOUND} on open, names gone with their last handle,
 * zero-filled mappings, auto-reset events that stay signaled until one wait consumes them.
 */
final class FakeWin32FileMapApi implements Win32FileMapApi {
    final Map<String, Object> named = new ConcurrentHashMap<>();
    final Map<Long, Object> handles = new ConcurrentHashMap<>();
    final Map<Long, ByteBuffer> views = new ConcurrentHashMap<>();
    final List<String> securityDescriptors = new ArrayList<>();
    final AtomicLong nextHandle = new AtomicLong(0x100);
    final AtomicLong unmapped = new AtomicLong();
    String sid = "S-1-5-21-1004336348-1177238915-682003330-1001";

    static final class Mapping {
        final String name;
        final ByteBuffer memory;
        int handleCount;

        Mapping(final String name, final long size) {
            this.name = name;
            this.memory = ByteBuffer.allocateDirect((int) size);
        }
    }

    static final class Event {
        final String name;
        final Semaphore signaled = new Semaphore(0);
        int handleCount;

        Event(final String name) {
            this.name = name;
        }
    }

    @Override
    public String currentUserSid() {
        return sid;
    }

    @Override
    public synchronized Result CreateFileMapping(final String securityDescriptor, final int flProtect,
        final long maximumSize, final String lpName) {
        securityDescriptors.add(securityDescriptor);
        final Object existing = named.get(lpName);
        if (existing instanceof Event) {
            return new Result(0, ERROR_INVALID_HANDLE);
        }
        if (existing instanceof Mapping) {
            return new Result(handle(existing), ERROR_ALREADY_EXISTS);
        }
        final Mapping mapping = new Mapping(lpName, maximumSize);
        named.put(lpName, mapping);
        return new Result(handle(mapping), 0);
    }

    @Override
    public synchronized Result OpenFileMapping(final int dwDesiredAccess, final String lpName) {
        final Object existing = named.get(lpName);
        if (existing instanceof Mapping) {
            return new Result(handle(existing), 0);
        }
        return new Result(0, existing == null ? ERROR_FILE_NOT_FOUND : ERROR_INVALID_HANDLE);
    }

    @Override
    public synchronized Result MapViewOfFile(final long hFileMappingObject, final int dwDesiredAccess,
        final int dwNumberOfBytesToMap) {
        final Object object = handles.get(hFileMappingObject);
        if (!(object instanceof Mapping) || dwNumberOfBytesToMap > ((Mapping) object).memory.capacity()) {
            return new Result(0, 5);
        }
        final long address = nextHandle.getAndIncrement() << 20;
        views.put(address, ((Mapping) object).memory.duplicate().limit(dwNumberOfBytesToMap).slice());
        return new Result(address, 0);
    }

    @Override
    public ByteBuffer wrapView(final long address, final int length) {
        return views.get(address).duplicate().limit(length).slice();
    }

    @Override
    public int UnmapViewOfFile(final long lpBaseAddress) {
        unmapped.incrementAndGet();
        return views.remove(lpBaseAddress) == null ? 487 : 0;
    }

    @Override
    public synchronized Result CreateEvent(final String securityDescriptor, final boolean bManualReset,
        final boolean bInitialState, final String lpName) {
        securityDescriptors.add(securityDescriptor);
        final Object existing = named.get(lpName);
        if (existing instanceof Mapping) {
            return new Result(0, ERROR_INVALID_HANDLE);
        }
        if (existing instanceof Event) {
            return new Result(handle(existing), ERROR_ALREADY_EXISTS);
        }
        final Event event = new Event(lpName);
        named.put(lpName, event);
        return new Result(handle(event), 0);
    }

    @Override
    public synchronized Result OpenEvent(final int dwDesiredAccess, final String lpName) {
        final Object existing = named.get(lpName);
        if (existing instanceof Event) {
            return new Result(handle(existing), 0);
        }
        return new Result(0, existing == null ? ERROR_FILE_NOT_FOUND : ERROR_INVALID_HANDLE);
    }

    @Override
    public int SetEvent(final long hEvent) {
        final Object object = handles.get(hEvent);
        if (!(object instanceof Event)) {
            return ERROR_INVALID_HANDLE;
        }
        final Event event = (Event) object;
        synchronized (event) {
            if (event.signaled.availablePermits() == 0) {
                event.signaled.release();
            }
        }
        return 0;
    }

    @Override
    public int WaitForSingleObject(final long hHandle, final int dwMilliseconds) {
        final Object object = handles.get(hHandle);
        if (!(object instanceof Event)) {
            return WAIT_FAILED;
        }
        try {
            return ((Event) object).signaled.tryAcquire(dwMilliseconds, TimeUnit.MILLISECONDS)
                ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return WAIT_FAILED;
        }
    }

    @Override
    public synchronized int CloseHandle(final long hObject) {
        final Object object = handles.remove(hObject);
        if (object == null) {
            return ERROR_INVALID_HANDLE;
        }
        if (object instanceof Mapping && --((Mapping) object).handleCount == 0) {
            named.remove(((Mapping) object).name);
        }
        if (object instanceof Event && --((Event) object).handleCount == 0) {
            named.remove(((Event) object).name);
        }
        return 0;
    }

    @Override
    public int lastError() {
        return ERROR_INVALID_HANDLE;
    }

    @Override
    public String FormatMessage(final int code) {
        return "fake error " + code;
    }

    private long handle(final Object object) {
        final long handle = nextHandle.getAndIncrement();
        handles.put(handle, object);
        if (object instanceof Mapping) {
            ((Mapping) object).handleCount++;
        } else {
            ((Event) object).handleCount++;
        }
        return handle;
    }
}
