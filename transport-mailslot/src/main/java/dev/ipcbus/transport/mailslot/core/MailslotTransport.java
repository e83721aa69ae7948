package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.AbstractTransport;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mailslot transport over one OS layer: each node's inbox is a slot only it reads, written to one datagram per
 * frame by every node that sends to it.
 * <p>
 * Frames go out whole or not at all; a full slot makes {@link Outlet#offer} wait up to its timeout and then return
 * {@link Outlet#BACK_PRESSURED}. {@link #inboxCounters(long, String)} answers for inboxes of this JVM only (the OS
 * keeps no per-slot counters another process could read); for others it returns an empty map.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class MailslotTransport extends AbstractTransport {
    /** The URI scheme. */
    public static final String SCHEME = "mailslot";

    /** Inboxes of this JVM by address, across transports, for {@link #inboxCounters(long, String)}. */
    private static final Map<String, MailslotInbox> LOCAL_INBOXES = new ConcurrentHashMap<>();

    private final MailslotPlatform platform;
    private final NodeLiveness liveness;
    private final ErrorHandler errorHandler;

    /**
     * @param platform     the OS layer.
     * @param liveness     the registry's liveness view.
     * @param errorHandler receives failures on receive threads.
     */
    public MailslotTransport(
        final MailslotPlatform platform,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler) {
        super("mailslot transport: platform=" + platform.name());
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
        final InboxCounters counters = new InboxCounters();
        final ReceiveLoop loop = new ReceiveLoop("node=" + NodeIds.format(nodeId) + ", address=" + address,
            receiver, platform.maxFrameLength(), listener, errorHandler, counters);
        final MailslotInbox inbox = new MailslotInbox(nodeId, address, loop, counters, this::forgetInbox);
        LOCAL_INBOXES.put(address, inbox);
        final Thread thread = new Thread(loop, "ipcbus-mailslot-" + NodeIds.format(nodeId));
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (final RuntimeException | Error ex) {
            forgetInbox(inbox);
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

    /**
     * @return the counters of an inbox of this JVM ({@link InboxCounters#toMap()}), or an empty map for an inbox of
     * another process.
     */
    @Override
    public Map<String, Long> inboxCounters(final long nodeId, final String address) {
        final MailslotInbox inbox = LOCAL_INBOXES.get(address);
        return inbox == null || inbox.nodeId() != nodeId ? Map.of() : inbox.counters().toMap();
    }

    private void forgetInbox(final MailslotInbox inbox) {
        forget(inbox);
        LOCAL_INBOXES.remove(inbox.address(), inbox);
    }
}
