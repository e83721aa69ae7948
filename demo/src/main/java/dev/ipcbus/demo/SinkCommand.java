// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The receiving side of {@code throughput} (started by it, hidden from help): counts the messages of
 * {@code bench.tp.<id>} and, on {@code bench.tp.<id>.end}, prints {@code COUNT <messages> <bytes> <nanos>} measured
 * from its first to its last message.
 */
@Command(name = "sink", hidden = true, description = "Receiving side of 'throughput'.")
final class SinkCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Option(names = "--id", required = true)
    String id;

    private long messages;
    private long bytes;
    private long first;
    private long last;

    @Override
    public Integer call() throws Exception {
        final CountDownLatch end = new CountDownLatch(1);
        try (Bus bus = transport.open("ipcbus-demo sink")) {
            // Both subscriptions run on the node's single receive thread: no synchronization needed.
            bus.subscribeRaw("bench.tp." + id, (payload, context) -> {
                last = System.nanoTime();
                if (messages++ == 0) {
                    first = last;
                }
                bytes += payload.readableBytes();
            });
            bus.subscribeRaw("bench.tp." + id + ".end", (payload, context) -> {
                System.out.println("COUNT " + messages + " " + bytes + " " + (last - first));
                System.out.flush();
                end.countDown();
            });
            transport.ready(bus.nodeId());
            end.await();
        }
        return 0;
    }
}
