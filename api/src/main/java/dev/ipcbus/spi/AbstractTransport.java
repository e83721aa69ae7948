// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bookkeeping every inbox transport shares: the inboxes and outlets it opened, its closed flag, and closing.
 * <p>
 * A subclass opens the OS object, then hands the inbox or outlet to {@link #registerInbox} or
 * {@link #registerOutlet}, which closes it and throws {@link IllegalStateException} if the transport closed meanwhile
 * (so nothing opened during {@link #close()} is left open); the inbox or outlet calls {@link #forget} when it closes
 * itself. {@link #close()} closes the outlets first (no more writes), then the inboxes, then
 * {@link #closeResources()}; every failure is collected ({@link Closeables#closeAll}) and thrown once.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public abstract class AbstractTransport implements Transport {
    private final String description;
    private final Set<Inbox> inboxes = ConcurrentHashMap.newKeySet();
    private final Set<Outlet> outlets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param description names the transport in messages, e.g. {@code "pipe transport: bus=shop"}.
     */
    protected AbstractTransport(final String description) {
        this.description = description;
    }

    /**
     * @throws IllegalStateException if the transport is closed.
     */
    protected final void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    /**
     * @return whether {@link #close()} was called.
     */
    protected final boolean isClosed() {
        return closed.get();
    }

    /**
     * Records an inbox just opened.
     *
     * @param inbox the open inbox.
     * @param <T>   its type.
     * @return {@code inbox}.
     * @throws IllegalStateException if the transport closed meanwhile; the inbox is closed first.
     */
    protected final <T extends Inbox> T registerInbox(final T inbox) {
        inboxes.add(inbox);
        closeIfClosed(inbox);
        return inbox;
    }

    /**
     * Records an outlet just opened.
     *
     * @param outlet the open outlet.
     * @param <T>    its type.
     * @return {@code outlet}.
     * @throws IllegalStateException if the transport closed meanwhile; the outlet is closed first.
     */
    protected final <T extends Outlet> T registerOutlet(final T outlet) {
        outlets.add(outlet);
        closeIfClosed(outlet);
        return outlet;
    }

    /**
     * Forgets an inbox or outlet that closed itself; unknown ones are ignored.
     *
     * @param closedOne the inbox or outlet.
     */
    protected final void forget(final AutoCloseable closedOne) {
        inboxes.remove(closedOne);
        outlets.remove(closedOne);
    }

    private void closeIfClosed(final AutoCloseable opened) {
        if (closed.get()) {
            Closeables.closeAll(description, List.of(opened));
            checkOpen();
        }
    }

    /**
     * Closes every outlet, then every inbox, then {@link #closeResources()}. Idempotent.
     */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        final List<AutoCloseable> all = new ArrayList<>(outlets);
        all.addAll(inboxes);
        all.add(this::closeResources);
        Closeables.closeAll(description, all);
    }

    /**
     * Frees what the transport holds besides its inboxes and outlets; called once, last, by {@link #close()}. Does
     * nothing unless overridden.
     */
    protected void closeResources() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + description + ", inboxes=" + inboxes.size() + ", outlets="
            + outlets.size() + "}";
    }
}
