// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.spi.TransportOptions;

import java.time.Duration;

/**
 * The URI options the core reads itself (transports read theirs), each named once with its default, parsed once
 * when a node opens. A bad value fails the open with a {@link dev.ipcbus.ConfigurationException} naming the option
 * and what it accepts.
 * <ul>
 *   <li>{@value #PUBLISH_TIMEOUT} (default 5s): how long a send waits on a full inbox before
 *   {@link dev.ipcbus.BackpressureTimeoutException}; also bounds how long a send waits for the inbox of a live node
 *   to come back ({@link OutletRetry}). Inbox transports only.</li>
 *   <li>{@value #TIMESTAMPS} (default false): whether frames carry the sending time (a clock read per send, about
 *   35 ns on a VM, and 8 bytes per frame); off by default because most receivers never read it, on for latency
 *   measurement. Without it receivers see 0.</li>
 * </ul>
 * <p>
 * <b>Thread safety:</b> immutable.
 */
final class CoreOptions {
    /** Option: how long a send waits on a full inbox. */
    static final String PUBLISH_TIMEOUT = "publishTimeout";
    /** Option: whether frames carry the sending time. */
    static final String TIMESTAMPS = "timestamps";
    /** The default of {@value #PUBLISH_TIMEOUT}. */
    static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final long publishTimeoutNanos;
    private final boolean timestamps;

    private CoreOptions(final long publishTimeoutNanos, final boolean timestamps) {
        this.publishTimeoutNanos = publishTimeoutNanos;
        this.timestamps = timestamps;
    }

    /**
     * Reads the options of a node with an inbox.
     *
     * @param options the URI's options; the ones read here are marked read.
     * @return the core options.
     * @throws dev.ipcbus.ConfigurationException if a value is invalid.
     */
    static CoreOptions forInboxNode(final TransportOptions options) {
        // At most TransportOptions.MAX_DURATION: converts, and adds to nanoTime() in outlets, without overflow.
        final long publishTimeoutNanos = options.duration(PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT).toNanos();
        return new CoreOptions(publishTimeoutNanos, timestamps(options));
    }

    /**
     * Reads the options of a node on an engine-routed transport, which has no inbox to wait on: no
     * {@value #PUBLISH_TIMEOUT} (refused as unknown, as it would have no effect).
     *
     * @param options the URI's options; the ones read here are marked read.
     * @return the core options, {@link #publishTimeoutNanos()} 0.
     * @throws dev.ipcbus.ConfigurationException if a value is invalid.
     */
    static CoreOptions forEngineNode(final TransportOptions options) {
        return new CoreOptions(0, timestamps(options));
    }

    private static boolean timestamps(final TransportOptions options) {
        return Boolean.parseBoolean(options.string(TIMESTAMPS, "false", "true", "false"));
    }

    /** @return how long a send waits on a full inbox, in nanoseconds, at most {@link TransportOptions#MAX_DURATION}. */
    long publishTimeoutNanos() {
        return publishTimeoutNanos;
    }

    /** @return whether frames carry the sending time. */
    boolean timestamps() {
        return timestamps;
    }

    /** @return the sending time for a frame: {@link EpochClock#nanos()}, or 0 without timestamps. */
    long timestamp() {
        return timestamps ? EpochClock.nanos() : 0;
    }
}
