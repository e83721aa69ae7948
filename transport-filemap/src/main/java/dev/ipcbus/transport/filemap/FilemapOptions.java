// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.filemap.core.IdleMode;
import dev.ipcbus.transport.filemap.core.RingSettings;
import dev.ipcbus.transport.filemap.core.SegmentDescriptor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The URI options of {@code filemap://}, e.g. {@code filemap://shop?capacity=4MiB&idle=spin}.
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Option</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code capacity}</td><td>{@code 1MiB}</td><td>Ring size of this node's inbox: a power of two from
 *   {@code 64KiB} to {@code 1GiB}. The largest frame is capacity / 8 (128 KiB by default). Each node reserves this much
 *   shared memory (plus a 1 KiB header) for its lifetime.</td></tr>
 *   <tr><td>{@code idle}</td><td>{@code hybrid}</td><td>{@code spin}, {@code yield}, {@code block} or {@code hybrid}
 *   (spin, then yield, then sleep on the doorbell); see {@link IdleMode}.</td></tr>
 *   <tr><td>{@code stallTimeout}</td><td>{@code 2s}</td><td>How long a record a writer claimed may stay unpublished
 *   before the reader skips it (the writer died mid-write). From {@code 1ms} to {@code 10m}.</td></tr>
 * </table>
 * Why 1 MiB: it holds thousands of typical messages (a small JSON message takes about 100 to 200 bytes with its
 * header), so a reader can fall behind by several milliseconds of a busy publisher without making it wait; it allows
 * 128 KiB messages; and it keeps shared memory modest: 64 nodes fit in the 64 MiB {@code /dev/shm} many containers
 * get. Larger capacities buy burst tolerance and bigger messages, not speed.
 * <p>
 * The publish timeout (how long a writer waits on a full inbox) is a core option ({@code publishTimeout}), not this
 * transport's.
 * <p>
 * <b>Thread safety:</b> immutable.
 */
public final class FilemapOptions {
    /** Option name: ring capacity. */
    public static final String CAPACITY = "capacity";
    /** Option name: idle strategy. */
    public static final String IDLE = "idle";
    /** Option name: stalled-record timeout. */
    public static final String STALL_TIMEOUT = "stallTimeout";

    /** Default ring capacity: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Smallest capacity the URI accepts: 64 KiB (max frame 8 KiB). */
    public static final int MIN_CAPACITY = 64 * 1024;
    /** Largest capacity the URI accepts: 1 GiB. */
    public static final int MAX_CAPACITY = SegmentDescriptor.MAX_CAPACITY;
    /** Default idle mode. */
    public static final IdleMode DEFAULT_IDLE = IdleMode.HYBRID;
    /** Default stall timeout. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(2);
    /** How long opening another node's segment waits for its ready signal. */
    public static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);

    private FilemapOptions() {
    }

    /**
     * Reads and validates this transport's options.
     *
     * @param options the URI's options; the names read are recorded so the core can refuse unknown ones.
     * @return the settings.
     * @throws ConfigurationException if a value is malformed or out of range (the message names the option, the
     *                                value and what is allowed).
     */
    public static RingSettings read(final TransportOptions options) {
        final long capacity = options.size(CAPACITY, DEFAULT_CAPACITY);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new ConfigurationException("bad option value (capacity must be a power of two from 64KiB to 1GiB, "
                + "e.g. 1MiB, 4MiB, 16MiB): option=" + CAPACITY + ", value=" + options.asMap().get(CAPACITY)
                + ", bytes=" + capacity);
        }
        final String idle = options.string(IDLE, DEFAULT_IDLE.optionValue(),
            "spin", "yield", "block", "hybrid");
        final Duration stall = options.duration(STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT);
        if (stall.compareTo(Duration.ofMillis(1)) < 0 || stall.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigurationException("bad option value (stallTimeout must be from 1ms to 10m): option="
                + STALL_TIMEOUT + ", value=" + options.asMap().get(STALL_TIMEOUT));
        }
        return new RingSettings((int) capacity, IdleMode.fromOption(idle), stall.toNanos(),
            TimeUnit.MILLISECONDS.toNanos(OPEN_TIMEOUT.toMillis()));
    }
}
