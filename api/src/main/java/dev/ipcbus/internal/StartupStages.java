// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.BusException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Test-only hooks at the stages of a node's start-up, so that tests can kill a node, or make its open fail, at a
 * known point (issue 13, item 3), with a handshake instead of a sleep. Inert unless one of two system properties
 * names the stage:
 * <ul>
 *   <li>{@value #PAUSE_PROPERTY}{@code =<stage>}: prints {@code IPCBUS-STARTUP <stage> <node id>} on standard
 *   output when the stage is reached and waits there (at most {@link #PAUSE_SECONDS} s), for the test to kill the
 *   process;</li>
 *   <li>{@value #FAIL_PROPERTY}{@code =<stage>}: throws a {@link BusException} there, as any failure at that point
 *   would.</li>
 * </ul>
 * Stages, in order: {@value #LOCKED} (registry lock and statistics exist), {@value #INBOX} (the transport's inbox
 * exists too), {@value #REGISTERED} (the node file is written).
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
final class StartupStages {
    /** System property: the stage at which to pause. */
    static final String PAUSE_PROPERTY = "ipcbus.test.startupPause";
    /** System property: the stage at which to fail. */
    static final String FAIL_PROPERTY = "ipcbus.test.startupFail";
    /** How long a pause lasts at most. */
    static final long PAUSE_SECONDS = 120;
    /** Stage: the registry lock is taken and the statistics file exists. */
    static final String LOCKED = "locked";
    /** Stage: the inbox (shared memory, socket) exists. */
    static final String INBOX = "inbox";
    /** Stage: the node file is written. */
    static final String REGISTERED = "registered";

    private StartupStages() {
    }

    /**
     * Marks a stage as reached.
     *
     * @param stage   the stage.
     * @param nodeHex the starting node.
     * @throws BusException if {@value #FAIL_PROPERTY} names this stage.
     */
    static void reached(final String stage, final String nodeHex) {
        if (stage.equals(System.getProperty(FAIL_PROPERTY))) {
            throw new BusException("start-up failure injected for a test: stage=" + stage + ", node=" + nodeHex);
        }
        if (stage.equals(System.getProperty(PAUSE_PROPERTY))) {
            System.out.println("IPCBUS-STARTUP " + stage + " " + nodeHex);
            System.out.flush();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PAUSE_SECONDS);
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }
}
