// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipcbus.Bus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints messages matching a pattern: {@code ipcbus-demo subscribe 'orders.>'}, one line each:
 * {@code <topic> <json>}. Runs until Ctrl-C, {@code --count} messages, {@code --timeout}, or its standard output is
 * closed ({@code | head -1}); a summary goes to standard error on exit.
 */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
    description = "Print every message whose topic matches PATTERN ('*' = one token, '>' = the rest).")
final class SubscribeCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Parameters(index = "0", paramLabel = "PATTERN", description = "Topic pattern, e.g. orders.> or orders.*.created")
    String pattern;

    @Option(names = "--count", defaultValue = "0", description = "Exit after this many messages, >= 0; 0 = never.")
    int count;

    @Option(names = "--timeout", defaultValue = "0",
        description = "Exit after this many seconds, >= 0; 0 = never. Exit code 1 if --count was not reached.")
    long timeoutSeconds;

    @Option(names = "--metadata", description = "Also print the sender node and headers.")
    boolean metadata;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--count", count, 0);
        Arguments.atLeast("--timeout", timeoutSeconds, 0);
        final CountDownLatch done = new CountDownLatch(count > 0 ? count : 1);
        final CountDownLatch readerGone = new CountDownLatch(1);
        final AtomicLong printed = new AtomicLong();
        final long start = System.nanoTime();
        try (Bus bus = transport.open("ipcbus-demo subscribe")) {
            bus.subscribe(pattern, JsonNode.class, (message, context) -> {
                if (!Output.line(context.topic() + " " + JsonArgument.print(message) + (metadata ? "  (from "
                    + context.senderNode() + ", headers " + context.headers() + ")" : ""))) {
                    readerGone.countDown();
                    return;
                }
                printed.incrementAndGet();
                if (count > 0) {
                    done.countDown();
                }
            });
            System.err.println("subscribed to " + pattern + " on " + bus.uri() + " as node " + bus.nodeId());
            transport.ready(bus.nodeId());
            final boolean finished = awaitEither(done, readerGone, timeoutSeconds);
            System.err.println("subscribe: " + printed.get() + " message(s) in "
                + Durations.format(System.nanoTime() - start) + (readerGone.getCount() == 0
                ? ", stopped: standard output closed" : ""));
            return finished || count == 0 || readerGone.getCount() == 0 ? 0 : 1;
        }
    }

    /**
     * @return {@code true} once {@code done} opens (or the reader of standard output is gone); {@code false} when the
     * timeout (seconds, 0 = none) passes first.
     */
    private static boolean awaitEither(final CountDownLatch done, final CountDownLatch readerGone,
        final long timeoutSeconds) throws InterruptedException {
        final long deadline = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds)
            : Long.MAX_VALUE;
        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            if (readerGone.getCount() == 0) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
        }
        return true;
    }
}
