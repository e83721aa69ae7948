// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import dev.ipcbus.transport.pipe.core.PipeTransport;
import dev.ipcbus.spi.Inbox;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.transport.pipe.PipeOptions;
import dev.ipcbus.transport.pipe.core.PipeHelloDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The child JVM of {@link PosixPipeCrossProcessIT}. Modes:
 * <ul>
 *   <li>{@code reader <runtimeDir> <nodehex>}: opens an inbox whose listener never returns (a stuck reader), prints
 *   {@code ADDRESS <path>} and {@code READY}, then waits to be killed.</li>
 *   <li>{@code midframe <path> <nodehex>}: connects raw, writes the hello, one complete record holding {@code 7}
 *   and then the first 10 bytes of a 1000-byte record, prints {@code READY}, then waits to be killed.</li>
 *   <li>{@code squat <path> <nodehex>}: binds a plain listening socket at {@code path} (a foreign process squatting on
 *   a node's socket name), prints {@code READY}, then waits to be killed.</li>
 * </ul>
 */
public final class PipeTestChild {
    private PipeTestChild() {
    }

    /**
     * @param args the mode and its arguments.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final long node = NodeIds.parse(args[2]);
        if ("reader".equals(args[0])) {
            final TransportContext context = new TransportContext("child", new TransportOptions(Map.of()),
                Path.of(args[1]), n -> true, Throwable::printStackTrace);
            final PipeTransport transport = new PipeTransport(context,
                new PipeOptions(1024 * 1024, Duration.ofSeconds(2)),
                new PosixPipePlatform(context.runtimeDirectory(), context.busName(), context.errorHandler()));
            final Inbox inbox = transport.openInbox(node, frame -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            System.out.println("ADDRESS " + inbox.address());
        } else if ("squat".equals(args[0])) {
            final java.nio.channels.ServerSocketChannel squatter = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX);
            squatter.bind(UnixDomainSocketAddress.of(Path.of(args[1])));
            System.out.println("BOUND " + squatter.isOpen());
        } else {
            final SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[1])));
            final ByteBuf bytes = Unpooled.buffer();
            bytes.writeZero(PipeHelloDescriptor.LENGTH);
            PipeHelloDescriptor.write(bytes, 0, node);
            bytes.writeIntLE(1).writeByte(7).writeByte(1);
            bytes.writeIntLE(1000).writeZero(10);
            channel.write(bytes.nioBuffer());
            System.out.println("KEEP " + channel.isOpen());
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
