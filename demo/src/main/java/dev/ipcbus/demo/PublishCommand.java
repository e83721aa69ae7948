// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipcbus.Bus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Publishes JSON messages: {@code ipcbus-demo publish orders.eu.created '{"id":"O-1"}' --count 10 --rate 5}, or one
 * message per line of standard input with {@code -}.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publish JSON messages on a topic (the payload, or '-' to read one message per line of stdin; "
        + "blank lines are skipped).")
final class PublishCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic, e.g. orders.eu.created")
    String topic;

    @Parameters(index = "1", paramLabel = "JSON", defaultValue = "-",
        description = "The message as exactly one JSON value (null for a null message), or - for standard input "
            + "(default).")
    String payload;

    @Option(names = "--count", defaultValue = "1", description = "Times to publish the message, >= 1 (default 1).")
    int count;

    @Option(names = "--rate", defaultValue = "0", description = "Messages per second, >= 0; 0 = as fast as possible.")
    double rate;

    @Option(names = {"-H", "--header"}, paramLabel = "KEY=VALUE",
        description = "A header on every message (repeatable), e.g. -H trace=abc -H source=cli.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--wait-for-subscriber", description = "Wait up to 10 s until a node subscribes to the topic.")
    boolean waitForSubscriber;

    @Override
    public Integer call() throws Exception {
        Arguments.atLeast("--count", count, 1);
        Arguments.atLeast("--rate", rate, 0);
        final JsonNode message = "-".equals(payload) ? null : JsonArgument.parse(payload);
        try (Bus bus = transport.open("ipcbus-demo publish")) {
            if (waitForSubscriber) {
                waitForSubscriber(bus);
            }
            int sent = 0;
            if ("-".equals(payload)) {
                final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                for (int number = 1; (line = in.readLine()) != null; number++) {
                    if (!line.isBlank()) {
                        bus.publish(topic, parseLine(line, number, sent), headers);
                        sent++;
                    }
                }
            } else {
                final long intervalNanos = rate > 0 ? (long)(1e9 / rate) : 0;
                long next = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    if (intervalNanos > 0) {
                        final long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        next += intervalNanos;
                    }
                    bus.publish(topic, message, headers);
                    sent++;
                }
            }
            final long receivers = bus.nodes().stream().filter(node -> node.alive() && node.subscriptions().stream()
                .anyMatch(pattern -> dev.ipcbus.Topics.matches(pattern, topic))).count();
            System.out.println("published " + sent + " message(s) on " + topic + " via " + bus.uri() + " to "
                + receivers + " subscribed node(s)");
            if (receivers == 0) {
                System.err.println("ipcbus-demo publish: warning: no node subscribes to " + topic + " on " + bus.uri()
                    + ", so nobody received the message(s)" + ("inproc".equals(bus.uri().scheme())
                    ? " (inproc:// reaches only nodes of this process)" : ""));
            }
        }
        return 0;
    }

    private static JsonNode parseLine(final String line, final int number, final int sent) {
        try {
            return JsonArgument.parse(line);
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("standard input line " + number + ": " + ex.getMessage() + " ("
                + sent + " message(s) published before it)", ex);
        }
    }

    private void waitForSubscriber(final Bus bus) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bus.nodes().stream().noneMatch(node -> node.subscriptions().stream()
            .anyMatch(pattern -> dev.ipcbus.Topics.matches(pattern, topic)))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no subscriber for " + topic + " within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
