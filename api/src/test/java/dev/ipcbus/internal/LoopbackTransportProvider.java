// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.FrameWriter;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code loopback://}: a test transport that allocates nothing per frame, so that a test can measure what the core
 * itself allocates. With {@code ?inPlace=true} its outlets write in place (as filemap's do), else they copy bytes; with
 * {@code ?closeEvery=N} each outlet reports itself closed from its N-th offer on; with {@code ?unavailableOpens=N}
 * the transport's first N outlet opens throw {@link InboxUnavailableException}; with {@code ?inboxLimit=N} the
 * inbox advertises N as the largest frame it accepts (the core then refuses larger frames for it; the loopback does
 * not enforce it). An outlet copies the frame into the
 * target inbox's preallocated buffer and calls its listener on the calling thread (acceptable only for single-threaded
 * tests). Registered for api's own tests only.
 */
public final class LoopbackTransportProvider implements TransportProvider {
    private static final ConcurrentHashMap<String, LoopbackInbox> INBOXES = new ConcurrentHashMap<>();

    /**
     * Creates the provider.
     */
    public LoopbackTransportProvider() {
    }

    @Override
    public String scheme() {
        return "loopback";
    }

    @Override
    public boolean isProcessLocal() {
        return true;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public String unsupportedReason() {
        return null;
    }

    @Override
    public Transport create(final TransportContext context) {
        // inPlace=true: outlets take frames as FrameWriters and encode them into the inbox buffer (like filemap).
        final boolean inPlace = Boolean.parseBoolean(context.options().string("inPlace", "false", "true", "false"));
        // closeEvery=N: each outlet answers CLOSED to its N-th offer and every offer after (the core must reopen).
        final int closeEvery = Integer.parseInt(context.options().string("closeEvery", "0"));
        // inboxLimit=N: what this node's inbox advertises in its registry record (0: unknown).
        final int inboxLimit = Integer.parseInt(context.options().string("inboxLimit", "0"));
        // unavailableOpens=N: the first N openOutlet calls find no inbox (the core must retry while the node lives).
        final AtomicInteger unavailableOpens = new AtomicInteger(
            Integer.parseInt(context.options().string("unavailableOpens", "0")));
        return new Transport() {
            @Override
            public String scheme() {
                return "loopback";
            }

            @Override
            public int maxFrameLength() {
                return 4096;
            }

            @Override
            public Inbox openInbox(final long nodeId, final FrameListener listener) {
                final LoopbackInbox inbox = new LoopbackInbox(context.busName() + "/" + nodeId, listener, inboxLimit);
                INBOXES.put(inbox.address, inbox);
                return inbox;
            }

            @Override
            public Outlet openOutlet(final long nodeId, final String address) {
                if (unavailableOpens.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    throw new InboxUnavailableException("loopback inbox unavailable: address=" + address);
                }
                final LoopbackInbox inbox = INBOXES.get(address);
                return new Outlet() {
                    private int offers;

                    /** @return {@link #SENT} if this offer may deliver, else the status to answer. */
                    private int admit() {
                        if (inbox.closed) {
                            return PEER_GONE;
                        }
                        return closeEvery > 0 && ++offers >= closeEvery ? CLOSED : SENT;
                    }

                    @Override
                    public boolean writesInPlace() {
                        return inPlace;
                    }

                    @Override
                    public int offer(final FrameWriter writer, final int frameLength, final long timeoutNanos) {
                        final int status = admit();
                        if (status != SENT) {
                            return status;
                        }
                        inbox.buffer.clear().ensureWritable(frameLength);
                        writer.writeFrame(inbox.buffer, 0);
                        inbox.buffer.writerIndex(frameLength);
                        inbox.listener.onFrame(inbox.buffer);
                        return SENT;
                    }

                    @Override
                    public int offer(final ByteBuf frame, final long timeoutNanos) {
                        final int status = admit();
                        if (status != SENT) {
                            return status;
                        }
                        inbox.buffer.clear().writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                        inbox.listener.onFrame(inbox.buffer);
                        return SENT;
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void reclaim(final long nodeId, final String address) {
            }

            @Override
            public void close() {
            }
        };
    }

    private static final class LoopbackInbox implements Inbox {
        final String address;
        final FrameListener listener;
        final ByteBuf buffer = Unpooled.directBuffer(4096, 4096);
        final int maxFrameLength;
        volatile boolean closed;

        LoopbackInbox(final String address, final FrameListener listener, final int maxFrameLength) {
            this.address = address;
            this.listener = listener;
            this.maxFrameLength = maxFrameLength;
        }

        @Override
        public int maxFrameLength() {
            return maxFrameLength;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public void close() {
            closed = true;
            INBOXES.remove(address, this);
            buffer.release();
        }
    }
}
