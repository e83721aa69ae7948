// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.AbstractTransport;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.InboxCounters;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * The mailslot transport over one OS layer: each node's inbox is a slot only it reads, written to one datagram per
 * frame by every node that sends to it.
 * <p>
 * Frames go out whole or not at all; a full slot makes {@link Outlet#offer} wait up to its timeout and then return
 * {@link Outlet#BACK_PRESSURED}. Each inbox counts in its node's statistics file
 * ({@link dev.ipcbus.spi.TransportContext#inboxCounters(long)}).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class MailslotTransport extends AbstractTransport {
    /** The URI scheme. */
    public static final String SCHEME = "mailslot";

    private final MailslotPlatform platform;
    private final NodeLiveness liveness;
    private final ErrorHandler errorHandler;
    private final LongFunction<InboxCounters> inboxCounters;

    /**
     * @param platform      the OS layer.
     * @param liveness      the registry's liveness view.
     * @param errorHandler  receives failures on receive threads.
     * @param inboxCounters where each node's inbox counts ({@link dev.ipcbus.spi.TransportContext#inboxCounters}).
     */
    public MailslotTransport(
        final MailslotPlatform platform,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler,
        final LongFunction<InboxCounters> inboxCounters) {
        super("mailslot transport: platform=" + platform.name());
        this.inboxCounters = inboxCounters;
        this.platform = platform;
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
    }
    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public int maxFrameLength() {
        return platform.maxFrameLength();
    }

    /**
     * @return {@code "maxFrame"} ({@code MailslotOptions.MAX_FRAME}).
     */
    @Override
    public String frameLimitOption() {
        return "maxFrame";
    }

    /**
     * Creates the node's slot and starts its receive thread (a daemon named {@code ipcbus-mailslot-<node>}).
     *
     * @throws IllegalStateException   if the transport is closed.
     * @throws dev.ipcbus.BusException if the slot cannot be created.
     */
    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        final String address = platform.inboxAddress(nodeId);
        final DatagramReceiver receiver = platform.openReceiver(nodeId, address);
        final MailslotInboxCounters counters = new MailslotInboxCounters(inboxCounters.apply(nodeId));
        final ReceiveLoop loop = new ReceiveLoop("node=" + NodeIds.format(nodeId) + ", address=" + address,
            receiver, platform.maxFrameLength(), listener, errorHandler, counters);
        final MailslotInbox inbox = new MailslotInbox(nodeId, address, loop, counters, this::forget);
        final Thread thread = new Thread(loop, "ipcbus-mailslot-" + NodeIds.format(nodeId));
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (final RuntimeException | Error ex) {
            forget(inbox);
            receiver.close();
            throw ex;
        }
        return registerInbox(inbox);
    }

    /**
     * @throws IllegalStateException                  if the transport is closed.
     * @throws dev.ipcbus.spi.InboxUnavailableException if the slot does not exist (its node died or closed it); not
     *                                                  retried here.
     * @throws dev.ipcbus.BusException                 if the slot cannot be opened otherwise.
     */
    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        Objects.requireNonNull(address, "address");
        checkOpen();
        final DatagramSender sender = platform.openSender(nodeId, address);
        return registerOutlet(new MailslotOutlet(nodeId, sender, platform.maxFrameLength(), liveness,
            this::forget));
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        platform.reclaim(nodeId, address);
    }

}
