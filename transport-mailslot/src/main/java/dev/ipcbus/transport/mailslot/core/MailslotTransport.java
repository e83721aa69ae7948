package dev.ipcbus.transport.mailslot.core;

import dev.ipcbus.BusException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.spi.Closeables;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.NodeLiveness;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

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
public final class MailslotTransport implements Transport {
    /** The URI scheme. */
    public static final String SCHEME = "mailslot";

    /** How long {@link #openOutlet} retries a missing slot whose node the registry still calls alive. */
    static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final long SETTLE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Inboxes of this JVM by address, across transports, for {@link #inboxCounters(long, String)}. */
    private static final Map<String, MailslotInbox> LOCAL_INBOXES = new ConcurrentHashMap<>();

    private final MailslotPlatform platform;
    private final NodeLiveness liveness;
    private final ErrorHandler errorHandler;
    private final Set<MailslotInbox> inboxes = ConcurrentHashMap.newKeySet();
    private final Set<MailslotOutlet> outlets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param platform     the OS layer.
     * @param liveness     the registry's liveness view.
     * @param errorHandler receives failures on receive threads.
     */
    public MailslotTransport(
        final MailslotPlatform platform,
        final NodeLiveness liveness,
        final ErrorHandler errorHandler) {
        this.platform = Objects.requireNonNull(platform, "platform");
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
     * @return the OS layer in use.
     */
    public MailslotPlatform platform() {
        return platform;
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
        final MailslotInbox inbox = new MailslotInbox(nodeId, address, loop, counters, this::forget);
        inboxes.add(inbox);
        LOCAL_INBOXES.put(address, inbox);
        final Thread thread = new Thread(loop, "ipcbus-mailslot-" + NodeIds.format(nodeId));
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (final RuntimeException | Error ex) {
            forget(inbox);
            receiver.close();
            throw ex;
        }
        if (closed.get()) {
            inbox.close();
            checkOpen();
        }
        return inbox;
    }

    /**
     * @throws IllegalStateException   if the transport is closed.
     * @throws dev.ipcbus.BusException if the slot does not exist (its node died or closed it) or cannot be opened;
     *                                 while the registry still calls the node alive, retried for up to 250 ms first.
     */
    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        Objects.requireNonNull(address, "address");
        checkOpen();
        final DatagramSender sender = openSender(nodeId, address);
        final MailslotOutlet outlet = new MailslotOutlet(nodeId, sender, platform.maxFrameLength(), liveness,
            outlets::remove);
        outlets.add(outlet);
        if (closed.get()) {
            outlet.close();
            checkOpen();
        }
        return outlet;
    }

    /**
     * Opens a writer; if the slot is missing while the registry still calls its node alive, retries for up to
     * {@link #SETTLE_NANOS}. That state is almost always a dead node being reclaimed right now by another process,
     * which holds the dead node's registry lock (so it looks alive) after removing its slot; once the reclaim ends the
     * registry says dead and the failure is passed on for the core to skip the node.
     */
    private DatagramSender openSender(final long nodeId, final String address) {
        final long deadline = System.nanoTime() + SETTLE_NANOS;
        while (true) {
            try {
                return platform.openSender(nodeId, address);
            } catch (final BusException ex) {
                if (System.nanoTime() - deadline >= 0 || closed.get() || !liveness.isAlive(nodeId)) {
                    throw ex;
                }
                LockSupport.parkNanos(SETTLE_PAUSE_NANOS);
            }
        }
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

    /**
     * Closes every inbox and outlet opened through this transport. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        final List<AutoCloseable> all = new ArrayList<>(outlets);
        all.addAll(inboxes);
        Closeables.closeAll("the mailslot transport: platform=" + platform.name(), all);
    }

    private void forget(final MailslotInbox inbox) {
        inboxes.remove(inbox);
        LOCAL_INBOXES.remove(inbox.address(), inbox);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("mailslot transport closed");
        }
    }
}
