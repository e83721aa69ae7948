// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.pipe.core.PipeRecordDescriptor;

import java.time.Duration;

/**
 * The options of a {@code pipe://name?...} URI:
 * <ul>
 *   <li>{@code maxFrameLength}: the largest frame, header included (default {@value #DEFAULT_MAX_FRAME_LENGTH}
 *   bytes, 4 MiB; from 41 B ({@link #MIN_MAX_FRAME_LENGTH}) to 256 MiB). Nodes of one bus may use different values:
 *   each node's registry record says what its inbox accepts, and a sender refuses a larger frame for that node with
 *   {@link dev.ipcbus.MessageTooLargeException} before sending anything; an inbox that is sent one anyway (a foreign
 *   writer) skips that frame, counts and reports it, and keeps the connection.</li>
 *   <li>{@code connectTimeout}: how long opening an outlet may wait for a busy inbox (default 5 s).</li>
 *   <li>{@code helloTimeout}: how long an inbox waits for a new connection's hello before it closes the connection
 *   and counts it (default 5 s). Outlets send the hello as soon as they connect.</li>
 * </ul>
 * <b>Thread safety:</b> immutable.
 */
public final class PipeOptions {
    /** The URI scheme. */
    public static final String SCHEME = "pipe";
    /** Option name: the largest frame an inbox accepts. */
    public static final String MAX_FRAME_LENGTH = "maxFrameLength";
    /** Default {@code maxFrameLength}: 4 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 4 * 1024 * 1024;
    /** Smallest {@code maxFrameLength}: the longest frame header plus a one-byte topic. */
    public static final int MIN_MAX_FRAME_LENGTH = FrameDescriptor.MAX_HEADER_LENGTH + 1;
    /** Largest {@code maxFrameLength}: 256 MiB. */
    public static final int MAX_MAX_FRAME_LENGTH = PipeRecordDescriptor.MAX_FRAME_LENGTH;
    /** Default {@code connectTimeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@code helloTimeout}. */
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(5);

    private final int maxFrameLength;
    private final Duration connectTimeout;
    private final Duration helloTimeout;

    /**
     * Options with the default {@code helloTimeout}.
     *
     * @param maxFrameLength the largest frame, header included.
     * @param connectTimeout how long opening an outlet may wait for a busy inbox.
     * @throws ConfigurationException if a value is out of range.
     */
    public PipeOptions(final long maxFrameLength, final Duration connectTimeout) {
        this(maxFrameLength, connectTimeout, DEFAULT_HELLO_TIMEOUT);
    }

    /**
     * @param maxFrameLength the largest frame, header included.
     * @param connectTimeout how long opening an outlet may wait for a busy inbox.
     * @param helloTimeout   how long an inbox waits for a new connection's hello.
     * @throws ConfigurationException if a value is out of range.
     */
    public PipeOptions(final long maxFrameLength, final Duration connectTimeout, final Duration helloTimeout) {
        if (maxFrameLength < MIN_MAX_FRAME_LENGTH || maxFrameLength > MAX_MAX_FRAME_LENGTH) {
            throw new ConfigurationException("bad option value: option=maxFrameLength, value=" + maxFrameLength
                + ", min=" + MIN_MAX_FRAME_LENGTH + ", max=" + MAX_MAX_FRAME_LENGTH);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new ConfigurationException("bad option value: option=connectTimeout, value=" + connectTimeout);
        }
        if (helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new ConfigurationException("bad option value: option=helloTimeout, value=" + helloTimeout);
        }
        this.maxFrameLength = (int) maxFrameLength;
        this.connectTimeout = connectTimeout;
        this.helloTimeout = helloTimeout;
    }

    /**
     * Reads the pipe options of a URI.
     *
     * @param options the URI's options.
     * @return the parsed options.
     * @throws ConfigurationException if a value is malformed or out of range.
     */
    public static PipeOptions from(final TransportOptions options) {
        return new PipeOptions(options.size(MAX_FRAME_LENGTH, DEFAULT_MAX_FRAME_LENGTH),
            options.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT),
            options.duration("helloTimeout", DEFAULT_HELLO_TIMEOUT));
    }

    /**
     * @return the largest frame, header included, in bytes.
     */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return how long opening an outlet may wait for a busy inbox.
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * @return how long an inbox waits for a new connection's hello.
     */
    public Duration helloTimeout() {
        return helloTimeout;
    }

    @Override
    public String toString() {
        return "PipeOptions{maxFrameLength=" + maxFrameLength + ", connectTimeout=" + connectTimeout
            + ", helloTimeout=" + helloTimeout + "}";
    }
}
