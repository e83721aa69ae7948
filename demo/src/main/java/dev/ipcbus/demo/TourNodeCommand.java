// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.Bus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the tour's other processes (started by {@code tour}, hidden from help): the order subscriber or the stock
 * responder. Prints {@code READY} (it is started with {@code --ready}) when its subscription is visible, one line per
 * message, and a summary when its standard input closes.
 */
@Command(name = "tour-node", hidden = true, description = "A process of the tour (started by 'tour').")
final class TourNodeCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Option(names = "--role", required = true, description = "subscriber or responder")
    String role;

    @Override
    public Integer call() throws Exception {
        final AtomicInteger handled = new AtomicInteger();
        try (Bus bus = transport.open("tour-" + role)) {
            if ("subscriber".equals(role)) {
                bus.subscribe("orders.>", Shop.Order.class, (order, context) -> {
                    final Instant now = Instant.now();
                    // Timestamps are opt-in (timestamps=true on the publisher's URI); 0 means the frame has none.
                    final String age = context.timestampNanos() == 0 ? "" : ", " + Durations.format(
                        now.getEpochSecond() * 1_000_000_000L + now.getNano() - context.timestampNanos())
                        + " after publish";
                    handled.incrementAndGet();
                    System.out.printf("<- %-18s %s %d x %-5s  (from node %s%s)%n", context.topic(),
                        order.id(), order.quantity(), order.sku(), context.senderNode().substring(0, 6), age);
                    System.out.flush();
                });
            } else if ("responder".equals(role)) {
                bus.respond("stock.check", Shop.StockQuery.class, (query, context) -> {
                    final Shop.StockLevel level = Shop.stockOf(query.sku());
                    handled.incrementAndGet();
                    System.out.printf("answered stock.check %-5s -> %d available%n", query.sku(), level.available());
                    System.out.flush();
                    return level;
                });
            } else {
                throw new IllegalArgumentException("unknown role: " + role);
            }
            transport.ready(bus.nodeId());
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // wait for the tour to close our standard input
            }
            System.out.println("SUMMARY " + role + " handled=" + handled.get());
            System.out.flush();
        }
        return 0;
    }
}
