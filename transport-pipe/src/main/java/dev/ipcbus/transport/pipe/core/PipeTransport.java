// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.core;

import dev.ipcbus.spi.AbstractTransport;
import dev.ipcbus.spi.FrameListener;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.pipe.PipeOptions;

/**
 * The pipe transport, platform-neutral: each inbox is a {@link PipeInbox} over its {@link PipePlatform} server, each
 * outlet a {@link PipeOutlet} over the platform's connections.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PipeTransport extends AbstractTransport {
    private final TransportContext context;
    private final PipeOptions options;
    private final PipePlatform platform;

    /**
     * @param context  the bus's transport context.
     * @param options  the parsed pipe options.
     * @param platform the OS layer.
     */
    public PipeTransport(final TransportContext context, final PipeOptions options, final PipePlatform platform) {
        super("pipe transport: bus=" + context.busName() + ", platform=" + platform.name());
        this.context = context;
        this.options = options;
        this.platform = platform;
    }

    @Override
    public String scheme() {
        return PipeOptions.SCHEME;
    }

    @Override
    public int maxFrameLength() {
        return options.maxFrameLength();
    }

    /**
     * @return {@code "maxFrameLength"}.
     */
    @Override
    public String frameLimitOption() {
        return PipeOptions.MAX_FRAME_LENGTH;
    }

    @Override
    public Inbox openInbox(final long nodeId, final FrameListener listener) {
        checkOpen();
        final PipeInbox[] self = new PipeInbox[1];
        self[0] = PipeInbox.start(nodeId, options.maxFrameLength(), options.helloTimeout().toNanos(),
            platform.listen(nodeId, options.maxFrameLength()), context.inboxCounters(nodeId), listener,
            context.errorHandler(),
            () -> forget(self[0]));
        return registerInbox(self[0]);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Connects at once, so that an unreachable inbox fails here.
     *
     * @throws PipeConnectException if the inbox is gone or stayed busy until the connect timeout; not retried here.
     */
    @Override
    public Outlet openOutlet(final long nodeId, final String address) {
        checkOpen();
        final PipeOutlet[] self = new PipeOutlet[1];
        self[0] = new PipeOutlet(nodeId, address, options.maxFrameLength(),
            deadline -> platform.connect(nodeId, address, options.maxFrameLength(), deadline), context.liveness(),
            context.errorHandler(), () -> forget(self[0]));
        self[0].connectNow(System.nanoTime() + options.connectTimeout().toNanos());
        return registerOutlet(self[0]);
    }

    @Override
    public void reclaim(final long nodeId, final String address) {
        platform.reclaim(nodeId, address);
    }
}
