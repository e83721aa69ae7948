// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.inproc;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.AbstractTransport;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code inproc} transport: an inbox is a bounded queue of frame copies drained by one receive thread; inboxes are
 * found through a JVM-wide table keyed by address ({@code <bus>/<node id>}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class InprocTransport extends AbstractTransport {
    private static final ConcurrentHashMap<String, InprocInbox> INBOXES = new ConcurrentHashMap<>();
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String busName;
    private final int queueCapacity;
    private final int maxFrameLength;
    private final ErrorHandler errorHandler;

    InprocTransport(final TransportContext context) {
        super("inproc transport: bus=" + context.busName());
        this.busName = context.busName();
        final long queue = context.options().size("queue", 4096);
        final long maxFrame = context.options().size("maxFrameLength", 4L << 20);
        if (queue < 1 || queue > 1 << 20) {
            throw new ConfigurationException("bad option value: option=queue, value=" + queue + ", range=1..1048576");
        }
        if (maxFrame < 256 || maxFrame > 1 << 30) {
            throw new ConfigurationException("bad option value: option=maxFrameLength, value=" + maxFrame
                + ", range=256..1GiB");
        }
        this.queueCapacity = (int)queue;
        this.maxFrameLength = (int)maxFrame;
        this.errorHandler = context.errorHandler();
    }

    @Override
    public String scheme() {
        return InprocTransportProvider.SCHEME;
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        checkOpen();
        final String address = busName + "/" + NodeIds.format(nodeId);
        final InprocInbox inbox = new InprocInbox(address, queueCapacity, listener, errorHandler, this::forget);
        if (INBOXES.putIfAbsent(address, inbox) != null) {
            throw new IllegalStateException("inbox already open: address=" + address);
        }
        inbox.start();
        return registerInbox(inbox);
    }

    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        return registerOutlet(new InprocOutlet(address));
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        final InprocInbox inbox = INBOXES.get(busName + "/" + NodeIds.format(nodeId));
        if (inbox != null) {
            inbox.close();
        }
    }

    private final class InprocOutlet implements Outlet {
        private final String address;
        private volatile boolean closed;

        InprocOutlet(final String address) {
            this.address = address;
        }

        @Override
        public int offer(final ByteBuf frame, final long timeoutNanos) {
            final int length = frame.readableBytes();
            if (length > maxFrameLength) {
                throw new IllegalArgumentException("frame too large: length=" + length + ", max=" + maxFrameLength);
            }
            if (closed) {
                return CLOSED;
            }
            final InprocInbox inbox = INBOXES.get(address);
            if (inbox == null || inbox.closed) {
                return PEER_GONE;
            }
            final ByteBuf copy = ByteBufAllocator.DEFAULT.heapBuffer(length, length);
            copy.writeBytes(frame, frame.readerIndex(), length);
            if (inbox.queue.offer(copy)) {
                return inbox.checkOpenAfterOffer();
            }
            final long deadline = System.nanoTime() + timeoutNanos;
            try {
                while (true) {
                    if (closed) {
                        copy.release();
                        return CLOSED;
                    }
                    if (inbox.closed) {
                        copy.release();
                        return PEER_GONE;
                    }
                    final long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        copy.release();
                        return BACK_PRESSURED;
                    }
                    if (inbox.queue.offer(copy, Math.min(remaining, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS)) {
                        return inbox.checkOpenAfterOffer();
                    }
                }
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                copy.release();
                return CLOSED;
            }
        }

        @Override
        public void close() {
            closed = true;
            forget(this);
        }
    }

    private static final class InprocInbox implements Inbox {
        private final String address;
        private final ArrayBlockingQueue<ByteBuf> queue;
        private final FrameListener listener;
        private final ErrorHandler errorHandler;
        private final Thread thread;
        private final Consumer<InprocInbox> onClose;
        private volatile boolean closed;

        InprocInbox(final String address, final int capacity, final FrameListener listener,
            final ErrorHandler errorHandler, final Consumer<InprocInbox> onClose) {
            this.address = address;
            this.onClose = onClose;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.listener = listener;
            this.errorHandler = errorHandler;
            this.thread = new Thread(this::run, "ipcbus-inproc-" + address);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (!closed) {
                final ByteBuf frame;
                try {
                    frame = queue.poll(WAIT_SLICE_NANOS, TimeUnit.NANOSECONDS);
                } catch (final InterruptedException ex) {
                    break;
                }
                if (frame == null) {
                    continue;
                }
                try {
                    if (!closed) {
                        listener.onFrame(frame);
                    }
                } catch (final RuntimeException | Error ex) {
                    errorHandler.onError(ex);
                } finally {
                    frame.release();
                }
            }
            drain();
        }

        /** A frame queued while the inbox closed would never be read: release it and report the peer gone. */
        int checkOpenAfterOffer() {
            if (closed) {
                drain();
                return Outlet.PEER_GONE;
            }
            return Outlet.SENT;
        }

        private void drain() {
            ByteBuf frame;
            while ((frame = queue.poll()) != null) {
                frame.release();
            }
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            INBOXES.remove(address, this);
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            drain();
            onClose.accept(this);
        }
    }
}
