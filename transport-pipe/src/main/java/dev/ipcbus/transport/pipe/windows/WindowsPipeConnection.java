// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import dev.ipcbus.transport.pipe.core.PipeConnection;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.WaitCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.*;

/**
 * A writer connection to one Windows inbox: the client end of a message-mode named pipe, one {@code WriteFile} per
 * frame, so the pipe itself keeps the boundaries.
 * <p>
 * <b>Overlapped writes:</b> the handle is opened with {@code FILE_FLAG_OVERLAPPED} so that a write into a full pipe
 * can be bounded in time: {@code WriteFile} either completes at once (the common case) or returns
 * {@code ERROR_IO_PENDING}; the writer then waits on the {@code OVERLAPPED}'s event in slices of at most
 * {@link #WAIT_SLICE_NANOS}, asking its {@link WaitCheck} between slices. At the deadline it calls
 * {@code CancelIoEx} for that write and then {@code GetOverlappedResult(bWait=TRUE)}: if the write completed anyway
 * the frame was {@link Outlet#SENT}, if it was cancelled ({@code ERROR_OPERATION_ABORTED}) it was not written:
 * {@link Outlet#BACK_PRESSURED}. The frame is copied into a direct buffer this connection owns, which stays untouched
 * until the write completes or is cancelled, as overlapped I/O requires.
 * <p>
 * Connecting: {@code CreateFile}; {@code ERROR_PIPE_BUSY} (every instance taken) waits with {@code WaitNamedPipe}
 * and retries until the deadline; {@code ERROR_FILE_NOT_FOUND} means no server: {@link Outlet#PEER_GONE}. Client
 * handles start in byte-read mode, so the mode is set to {@code PIPE_READMODE_MESSAGE} with
 * {@code SetNamedPipeHandleState}. The {@link PipeHelloDescriptor hello} is the first message.
 * <p>
 * A write failing with {@code ERROR_NO_DATA}, {@code ERROR_BROKEN_PIPE} or {@code ERROR_PIPE_NOT_CONNECTED} is an
 * orderly disconnect: {@link Outlet#PEER_GONE}.
 * <p>
 * <b>Thread safety:</b> not thread-safe (the outlet's lock confines it); {@link #wakeup()} from any thread.
 */
public final class WindowsPipeConnection implements PipeConnection {
    /**
     * {@code CreateFileW}'s flags for the client end: overlapped writes, and {@code SECURITY_SQOS_PRESENT |
     * SECURITY_IDENTIFICATION} so that the server (possibly one squatting on the name) can identify the client but not
     * impersonate it.
     */
    public static final int CLIENT_FLAGS = FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;

    private final Win32 api;
    private final String name;
    private final long pipe;
    private final long event;
    private final long overlapped;
    private final int maxFrameLength;
    private ByteBuf buffer;
    private boolean broken;
    private String lastFailure;
    private volatile boolean closed;

    private WindowsPipeConnection(final Win32 api, final String name, final long pipe, final long event,
        final long overlapped, final int maxFrameLength) {
        this.api = api;
        this.name = name;
        this.pipe = pipe;
        this.event = event;
        this.overlapped = overlapped;
        this.maxFrameLength = maxFrameLength;
        this.buffer = ByteBufAllocator.DEFAULT.directBuffer(4096);
    }

    /**
     * Connects to an inbox pipe and sends the hello.
     *
     * @param api            the Win32 calls.
     * @param name           the pipe name.
     * @param targetNode     the inbox's node.
     * @param maxFrameLength the largest frame.
     * @param deadlineNanos  when to stop waiting for a free instance.
     * @return the connection.
     * @throws PipeConnectException {@link Outlet#PEER_GONE} if no server exists, {@link Outlet#BACK_PRESSURED} if
     *                              every instance stayed busy until the deadline.
     * @throws Win32Exception      for any other failure.
     */
    public static WindowsPipeConnection open(final Win32 api, final String name, final long targetNode,
        final int maxFrameLength, final long deadlineNanos) {
        long pipe;
        while (true) {
            // SQOS: the server may identify this client but never impersonate it (a squatting server could otherwise)
            pipe = api.CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, null, OPEN_EXISTING, CLIENT_FLAGS);
            if (pipe != INVALID_HANDLE_VALUE) {
                break;
            }
            final int error = api.GetLastError();
            if (error == ERROR_FILE_NOT_FOUND) {
                throw new PipeConnectException(Outlet.PEER_GONE, "pipe inbox not listening: name=" + name
                    + ", node=" + NodeIds.format(targetNode), null);
            }
            if (error != ERROR_PIPE_BUSY) {
                throw Win32Exception.of(api, "CreateFileW", error, "name=" + name);
            }
            final long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new PipeConnectException(Outlet.BACK_PRESSURED, "every pipe instance stayed busy: name=" + name
                    + ", node=" + NodeIds.format(targetNode), null);
            }
            final int waitMillis = (int) Math.max(1, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(remaining)));
            if (!api.WaitNamedPipeW(name, waitMillis)) {
                final int waitError = api.GetLastError();
                if (waitError == ERROR_FILE_NOT_FOUND) {
                    throw new PipeConnectException(Outlet.PEER_GONE, "pipe inbox went away: name=" + name, null);
                }
                // ERROR_SEM_TIMEOUT: loop and check the deadline
            }
        }
        long event = 0;
        long overlapped = 0;
        try {
            Win32Exception.check(api, api.SetNamedPipeHandleState(pipe, PIPE_READMODE_MESSAGE),
                "SetNamedPipeHandleState", "name=" + name);
            event = Win32Exception.checkHandle(api, api.CreateEventW(null, true, false, null), "CreateEventW",
                "name=" + name);
            overlapped = api.allocateOverlapped(event);
        } catch (final RuntimeException ex) {
            if (event != 0) {
                api.CloseHandle(event);
            }
            api.CloseHandle(pipe);
            throw ex;
        }
        final WindowsPipeConnection connection = new WindowsPipeConnection(api, name, pipe, event, overlapped,
            maxFrameLength);
        final ByteBuf hello = ByteBufAllocator.DEFAULT.heapBuffer(PipeHelloDescriptor.LENGTH);
        try {
            hello.writeZero(PipeHelloDescriptor.LENGTH);
            PipeHelloDescriptor.write(hello, 0, targetNode);
            final int status = connection.write(hello, deadlineNanos, () -> WaitCheck.CONTINUE);
            if (status != Outlet.SENT) {
                connection.close();
                throw new PipeConnectException(status == Outlet.BACK_PRESSURED ? Outlet.BACK_PRESSURED
                    : Outlet.PEER_GONE, "pipe inbox did not take the hello: name=" + name + ", status=" + status,
                    null);
            }
        } finally {
            hello.release();
        }
        return connection;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int write(final ByteBuf frame, final long deadlineNanos, final WaitCheck check) {
        if (closed) {
            return Outlet.CLOSED;
        }
        if (broken) {
            return Outlet.PEER_GONE;
        }
        final int length = frame.readableBytes();
        if (buffer.capacity() < length) {
            buffer.release();
            buffer = ByteBufAllocator.DEFAULT.directBuffer(Math.min(Math.max(length, buffer.capacity() * 2),
                Math.max(length, maxFrameLength)));
        }
        buffer.clear();
        buffer.writeBytes(frame, frame.readerIndex(), length);
        final ByteBuffer view = buffer.internalNioBuffer(0, length);
        if (api.WriteFile(pipe, view, length, null, overlapped)) {
            return Outlet.SENT;
        }
        final int error = api.GetLastError();
        if (error != ERROR_IO_PENDING) {
            return failed("WriteFile", error);
        }
        final int[] transferred = new int[1];
        while (true) {
            final long remaining = deadlineNanos - System.nanoTime();
            final int verdict;
            if (remaining <= 0) {
                verdict = Outlet.BACK_PRESSURED;
            } else {
                final int waitMillis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(remaining,
                    WAIT_SLICE_NANOS)));
                if (api.WaitForSingleObject(event, waitMillis) == WAIT_OBJECT_0) {
                    if (api.GetOverlappedResult(pipe, overlapped, transferred, false)) {
                        return Outlet.SENT;
                    }
                    final int resultError = api.GetLastError();
                    if (resultError != ERROR_IO_INCOMPLETE) {
                        return failed("GetOverlappedResult", resultError);
                    }
                }
                verdict = closed ? Outlet.CLOSED : check.check();
                if (verdict == WaitCheck.CONTINUE) {
                    continue;
                }
            }
            // Give up on this write: cancel it, then learn whether it completed before the cancel took effect.
            api.CancelIoEx(pipe, overlapped);
            if (api.GetOverlappedResult(pipe, overlapped, transferred, true)) {
                return Outlet.SENT;
            }
            final int cancelError = api.GetLastError();
            if (cancelError == ERROR_OPERATION_ABORTED) {
                return verdict;
            }
            return failed("GetOverlappedResult", cancelError);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void wakeup() {
        // The writer waits at most one slice (20 ms) before it sees the closed flag or asks its WaitCheck.
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
        // Called by the outlet under its lock, so no write is in flight: the OVERLAPPED and buffer are free.
        api.CloseHandle(pipe);
        api.CloseHandle(event);
        api.freeOverlapped(overlapped);
        buffer.release();
    }

    @Override
    public String toString() {
        return "WindowsPipeConnection{name=" + name + "}";
    }

    /**
     * ERROR_NO_DATA, ERROR_BROKEN_PIPE and ERROR_PIPE_NOT_CONNECTED are the orderly disconnects; any other failure
     * leaves the pipe just as unusable. Either way the outlet reconnects if the node is still alive.
     */
    private int failed(final String function, final int error) {
        broken = true;
        lastFailure = function + " error=" + error;
        return Outlet.PEER_GONE;
    }

    /**
     * @return the last failed call and its error, for diagnostics, or {@code null}.
     */
    public String lastFailure() {
        return lastFailure;
    }
}
