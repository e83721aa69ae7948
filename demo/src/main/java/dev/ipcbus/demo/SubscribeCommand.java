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

/**
 * Prints messages matching a pattern: {@code ipcbus-demo subscribe 'orders.>'}, one line each:
 * {@code <topic> <json>}. Runs until Ctrl-C, {@code --count} messages, or {@code --timeout}.
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
        try (Bus bus = transport.open("ipcbus-demo subscribe")) {
            bus.subscribe(pattern, JsonNode.class, (message, context) -> {
                synchronized (System.out) {
                    System.out.println(context.topic() + " " + JsonArgument.print(message)
                        + (metadata ? "  (from " + context.senderNode() + ", headers " + context.headers() + ")"
                        : ""));
                    System.out.flush();
                }
                if (count > 0) {
                    done.countDown();
                }
            });
            System.err.println("subscribed to " + pattern + " on " + bus.uri() + " as node " + bus.nodeId());
            System.out.println("READY " + bus.nodeId());
            System.out.flush();
            final boolean finished = timeoutSeconds > 0 ? done.await(timeoutSeconds, TimeUnit.SECONDS)
                : awaitForever(done);
            return finished || count == 0 ? 0 : 1;
        }
    }

    private static boolean awaitForever(final CountDownLatch done) throws InterruptedException {
        done.await();
        return true;
    }
}
