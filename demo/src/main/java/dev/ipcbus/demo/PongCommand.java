// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import io.netty.buffer.ByteBuf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.util.concurrent.Callable;

/**
 * The echo side of {@code ping}: republishes every message of {@code bench.ping.<id>} on {@code bench.pong.<id>}
 * unchanged (raw bytes, so it serves raw and JSON pings alike). Runs until its standard input closes or Ctrl-C.
 */
@Command(name = "pong", mixinStandardHelpOptions = true,
    description = "Echo side of 'ping': returns every ping. Start it in another terminal, or let 'ping --spawn' do it.")
final class PongCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Option(names = "--id", defaultValue = "0", description = "Run id shared with 'ping' (default 0).")
    String id;

    @Override
    public Integer call() throws Exception {
        try (Bus bus = transport.open("ipcbus-demo pong")) {
            final String pong = "bench.pong." + id;
            bus.subscribeRaw("bench.ping." + id, (ByteBuf payload, dev.ipcbus.MessageContext context) ->
                bus.publishRaw(pong, payload));
            transport.ready(bus.nodeId());
            final InputStream in = System.in;
            while (in.read() >= 0) {
                // until stdin closes (or Ctrl-C)
            }
        }
        return 0;
    }
}
