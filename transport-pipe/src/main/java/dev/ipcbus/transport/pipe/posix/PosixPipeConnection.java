// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.spi.FrameWriter;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.transport.pipe.core.PipeConnectException;
import dev.ipcbus.transport.pipe.core.PipeConnection;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import dev.ipcbus.transport.pipe.core.PipeRecordDescriptor;
import dev.ipcbus.transport.pipe.core.WaitCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A writer connection to one POSIX inbox: a non-blocking Unix domain stream socket carrying
 * {@link PipeRecordDescriptor records}, preceded once by the {@link PipeHelloDescriptor hello}.
 * <p>
 * A record is written with one write when the socket has room, which is the common case: frames up to
 * {@link #COPY_THRESHOLD} are copied with their prefix and status byte into one buffer (one plain {@code write}
 * costs less than a gathering write of four buffers); larger ones go out with one gathering write. When it has not,
 * the writer waits for {@code OP_WRITE} with a selector of its own, in slices of at most
 * {@link #WAIT_SLICE_NANOS}, asking its {@link WaitCheck} between slices. If the deadline passes before the first byte
 * of the record went out, nothing was written: {@link Outlet#BACK_PRESSURED}. If it passes mid-record, the record
 * is marked aborted and its remainder (zero filler and {@link PipeRecordDescriptor#STATUS_ABORT}) is written before
 * the next record, so the reader drops it and stays in step; the offer still returns {@code BACK_PRESSURED}.
 * <p>
 * A write that fails ({@code EPIPE}: the reader closed or died) returns {@link Outlet#PEER_GONE} at once.
 * <p>
 * <b>Thread safety:</b> not thread-safe (the outlet's lock confines it); {@link #wakeup()} from any thread.
 */
public final class PosixPipeConnection implements PipeConnection {
    /** Frames up to this size are copied into one buffer and written with one plain write. */
    static final int COPY_THRESHOLD = 16 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final SocketChannel channel;
    private final Path path;
    private final ByteBuffer hello = ByteBuffer.allocateDirect(PipeHelloDescriptor.LENGTH);
    private final ByteBuffer prefix = ByteBuffer.allocateDirect(PipeRecordDescriptor.PREFIX_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer trailer = ByteBuffer.allocateDirect(PipeRecordDescriptor.TRAILER_LENGTH);
    private final ByteBuffer staging = ByteBuffer.allocateDirect(PipeHelloDescriptor.LENGTH
        + PipeRecordDescriptor.recordLength(COPY_THRESHOLD));
    /** A Netty view of {@link #staging} (same memory, not reference counted in practice): copies without garbage. */
    private final ByteBuf stagingView = Unpooled.wrappedBuffer(staging);
    private volatile Selector selector;
    private long fillerRemaining;
    private boolean abortPending;
    private boolean broken;
    private volatile boolean closed;

    private PosixPipeConnection(final SocketChannel channel, final Path path, final long targetNode) {
        this.channel = channel;
        this.path = path;
        final ByteBuf helloBuf = Unpooled.wrappedBuffer(hello);
        PipeHelloDescriptor.write(helloBuf, 0, targetNode);
        hello.clear();
    }

    /**
     * Connects to an inbox socket and sends the hello at once (the inbox closes a connection whose hello does not
     * arrive within its hello timeout, so an outlet opened long before its first frame must not wait to send it).
     *
     * @param path       the inbox's socket path.
     * @param targetNode the inbox's node.
     * @return the connection.
     * @throws PipeConnectException with {@link Outlet#PEER_GONE} if nobody listens at {@code path} (no such file,
     *                              connection refused).
     * @throws BusException         for any other failure (permissions, resources).
     */
    public static PosixPipeConnection open(final Path path, final long targetNode) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            // Blocking connect: a Unix socket connect completes at once unless the listener's backlog (256) is full.
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.configureBlocking(false);
            final PosixPipeConnection connection = new PosixPipeConnection(channel, path, targetNode);
            // A new connection's send buffer is empty, so the 16 bytes go out in one non-blocking write.
            try {
                channel.write(connection.hello);
            } catch (final IOException ex) {
                // The inbox closed the connection at once (it is closing): as if it were not listening.
                closeQuietly(channel);
                throw new PipeConnectException(Outlet.PEER_GONE, "pipe inbox closed the connection before the hello: "
                    + "path=" + path + ", node=" + NodeIds.format(targetNode) + ", cause=" + ex.getMessage(), ex);
            }
            if (connection.hello.hasRemaining()) {
                throw new IOException("hello not written whole: written=" + connection.hello.position());
            }
            return connection;
        } catch (final IOException ex) {
            closeQuietly(channel);
            final String message = String.valueOf(ex.getMessage());
            if (ex instanceof ConnectException || message.contains("No such file")
                || message.contains("Connection refused")) {
                throw new PipeConnectException(Outlet.PEER_GONE, "pipe inbox not listening: path=" + path
                    + ", node=" + NodeIds.format(targetNode) + ", cause=" + message, ex);
            }
            throw new BusException("cannot connect to pipe inbox: path=" + path + ", node="
                + NodeIds.format(targetNode) + ", cause=" + message, ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int write(final ByteBuf frame, final long deadlineNanos, final WaitCheck check) {
        final int length = frame.readableBytes();
        final int ready = beginRecord(length, deadlineNanos, check);
        if (ready != Outlet.SENT) {
            return ready;
        }
        if (length <= COPY_THRESHOLD) {
            return writeCopied(frame, length, deadlineNanos, check);
        }
        final int frameBuffers = frame.nioBufferCount();
        final ByteBuffer[] parts;
        if (frameBuffers == 1) {
            parts = new ByteBuffer[] {hello, prefix, frame.nioBuffer(frame.readerIndex(), length), trailer};
        } else {
            final ByteBuffer[] views = frame.nioBuffers(frame.readerIndex(), length);
            parts = new ByteBuffer[views.length + 3];
            parts[0] = hello;
            parts[1] = prefix;
            System.arraycopy(views, 0, parts, 2, views.length);
            parts[parts.length - 1] = trailer;
        }
        while (true) {
            try {
                channel.write(parts);
            } catch (final IOException ex) {
                broken = true;
                return Outlet.PEER_GONE;
            }
            if (!trailer.hasRemaining()) {
                return Outlet.SENT;
            }
            final int waited = awaitWritable(deadlineNanos, check);
            if (waited != WaitCheck.CONTINUE) {
                if (prefix.position() > 0) {
                    // Part of the record is out: finish it as aborted before the next record.
                    long remaining = 0;
                    for (int i = 2; i < parts.length - 1; i++) {
                        remaining += parts[i].remaining();
                    }
                    markAborted(remaining);
                }
                return waited;
            }
        }
    }

    /**
     * Small frames: one contiguous copy (hello if still due, prefix, frame, status) and one plain {@code write}, which
     * costs less than a gathering write of four buffers.
     */
    private int writeCopied(final ByteBuf frame, final int length, final long deadlineNanos, final WaitCheck check) {
        final int helloBytes = hello.remaining();
        stagingView.setBytes(helloBytes + PipeRecordDescriptor.PREFIX_LENGTH, frame, frame.readerIndex(), length);
        return writeStaged(helloBytes, length, deadlineNanos, check);
    }

    /**
     * @return {@code true}: frames up to {@link #COPY_THRESHOLD} are encoded straight into the send buffer.
     */
    @Override
    public boolean writesInPlace() {
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Frames up to {@link #COPY_THRESHOLD} are encoded into the send buffer between the record prefix and its status
     * byte, and go out with one plain {@code write}; larger ones go through a temporary buffer.
     */
    @Override
    public int write(final FrameWriter writer, final int frameLength, final long deadlineNanos,
        final WaitCheck check) {
        if (frameLength > COPY_THRESHOLD) {
            return PipeConnection.super.write(writer, frameLength, deadlineNanos, check);
        }
        final int ready = beginRecord(frameLength, deadlineNanos, check);
        if (ready != Outlet.SENT) {
            return ready;
        }
        final int helloBytes = hello.remaining();
        // Encoded before anything is written: a writer that throws leaves the stream untouched.
        writer.writeFrame(stagingView, helloBytes + PipeRecordDescriptor.PREFIX_LENGTH);
        return writeStaged(helloBytes, frameLength, deadlineNanos, check);
    }

    /**
     * Gets the connection ready for a record of {@code length} frame bytes: refuses a broken or closed one, finishes
     * an aborted record first, and sets up the prefix and status buffers.
     *
     * @return {@link Outlet#SENT} when the record may be written, else the status to return.
     */
    private int beginRecord(final int length, final long deadlineNanos, final WaitCheck check) {
        if (broken || closed) {
            return closed ? Outlet.CLOSED : Outlet.PEER_GONE;
        }
        if (abortPending) {
            final int status = flushAbort(deadlineNanos, check);
            if (status != Outlet.SENT) {
                return status;
            }
        }
        prefix.clear();
        prefix.putInt(0, length);
        trailer.clear();
        trailer.put(0, PipeRecordDescriptor.STATUS_COMMIT);
        return Outlet.SENT;
    }

    /**
     * Completes the record staged in {@link #staging} (the frame is in place after the hello, if still due, and the
     * prefix) and writes it.
     */
    private int writeStaged(final int helloBytes, final int length, final long deadlineNanos,
        final WaitCheck check) {
        if (helloBytes > 0) {
            stagingView.setBytes(0, hello.duplicate());
        }
        stagingView.setIntLE(helloBytes, length);
        stagingView.setByte(helloBytes + PipeRecordDescriptor.statusOffset(length), PipeRecordDescriptor.STATUS_COMMIT);
        final ByteBuffer out = staging;
        out.clear();
        out.limit(helloBytes + PipeRecordDescriptor.recordLength(length));
        while (true) {
            try {
                channel.write(out);
            } catch (final IOException ex) {
                broken = true;
                return Outlet.PEER_GONE;
            }
            if (!out.hasRemaining()) {
                hello.position(hello.limit());
                return Outlet.SENT;
            }
            final int waited = awaitWritable(deadlineNanos, check);
            if (waited != WaitCheck.CONTINUE) {
                final int written = out.position();
                hello.position(hello.limit() - helloBytes + Math.min(written, helloBytes));
                final int recordWritten = written - helloBytes;
                if (recordWritten > 0) {
                    // Part of the record is out: finish it as aborted before the next record.
                    prefix.position(Math.min(recordWritten, PipeRecordDescriptor.PREFIX_LENGTH));
                    final int frameWritten = Math.max(0, recordWritten - PipeRecordDescriptor.PREFIX_LENGTH);
                    markAborted(length - Math.min(length, frameWritten));
                }
                return waited;
            }
        }
    }

    private void markAborted(final long fillerBytes) {
        fillerRemaining = fillerBytes;
        trailer.clear();
        trailer.put(0, PipeRecordDescriptor.STATUS_ABORT);
        abortPending = true;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void wakeup() {
        final Selector current = selector;
        if (current != null) {
            current.wakeup();
        }
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
        final Selector current = selector;
        if (current != null) {
            try {
                current.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return "PosixPipeConnection{path=" + path + "}";
    }

    private int flushAbort(final long deadlineNanos, final WaitCheck check) {
        while (true) {
            final ByteBuffer filler = ZEROS.duplicate();
            if (fillerRemaining < filler.capacity()) {
                filler.limit((int) fillerRemaining);
            }
            final ByteBuffer[] parts = fillerRemaining > filler.remaining()
                ? new ByteBuffer[] {hello, prefix, filler}
                : new ByteBuffer[] {hello, prefix, filler, trailer};
            final int before = filler.remaining();
            try {
                channel.write(parts);
            } catch (final IOException ex) {
                broken = true;
                return Outlet.PEER_GONE;
            }
            fillerRemaining -= before - filler.remaining();
            if (fillerRemaining == 0 && !trailer.hasRemaining()) {
                abortPending = false;
                return Outlet.SENT;
            }
            if (filler.hasRemaining() || trailer.hasRemaining() && fillerRemaining == 0) {
                final int waited = awaitWritable(deadlineNanos, check);
                if (waited != WaitCheck.CONTINUE) {
                    return waited;
                }
            }
        }
    }

    /**
     * Waits until the socket may take more bytes, the deadline passes ({@link Outlet#BACK_PRESSURED}) or the check
     * says stop.
     */
    private int awaitWritable(final long deadlineNanos, final WaitCheck check) {
        try {
            Selector current = selector;
            if (current == null) {
                current = Selector.open();
                channel.register(current, SelectionKey.OP_WRITE);
                selector = current;
                if (closed) {
                    return Outlet.CLOSED;
                }
            }
            while (true) {
                final long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return Outlet.BACK_PRESSURED;
                }
                final long slice = Math.min(remaining, WAIT_SLICE_NANOS);
                final int ready;
                if (slice < TimeUnit.MILLISECONDS.toNanos(1)) {
                    ready = current.selectNow();
                    if (ready == 0) {
                        Thread.onSpinWait();
                    }
                } else {
                    ready = current.select(TimeUnit.NANOSECONDS.toMillis(slice));
                }
                current.selectedKeys().clear();
                final int verdict = check.check();
                if (verdict != WaitCheck.CONTINUE) {
                    return verdict;
                }
                if (ready > 0) {
                    return WaitCheck.CONTINUE;
                }
            }
        } catch (final IOException | java.nio.channels.ClosedSelectorException ex) {
            return closed ? Outlet.CLOSED : Outlet.PEER_GONE;
        }
    }

    private static void closeQuietly(final SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (final IOException ignored) {
                // nothing to do
            }
        }
    }
}
