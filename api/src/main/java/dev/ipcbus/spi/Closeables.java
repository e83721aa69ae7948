// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.BusException;

import java.util.ArrayList;
import java.util.List;

/**
 * Closing several resources at once, the way every {@code close()} in ipcbus does it: close each one even when some
 * fail, then throw once, with every failure attached as suppressed.
 */
public final class Closeables {
    private Closeables() {
    }

    /**
     * Closes every resource, in iteration order.
     *
     * @param what       what is being closed, for the message, e.g. {@code "pipe transport: bus=shop"}.
     * @param closeables the resources; a snapshot is taken first, so the collection may change meanwhile.
     * @throws BusException {@code closing <what> failed: failures=N}, each failure suppressed, if any close failed.
     */
    public static void closeAll(final String what, final Iterable<? extends AutoCloseable> closeables) {
        final List<AutoCloseable> snapshot = new ArrayList<>();
        closeables.forEach(snapshot::add);
        List<Exception> failures = null;
        for (final AutoCloseable closeable : snapshot) {
            try {
                closeable.close();
            } catch (final Exception ex) {
                if (failures == null) {
                    failures = new ArrayList<>();
                }
                failures.add(ex);
            }
        }
        if (failures != null) {
            final BusException failure = new BusException("closing " + what + " failed: failures="
                + failures.size());
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
