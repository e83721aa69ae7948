// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipcbus.Bus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Sends one request and prints the reply: {@code ipcbus-demo request stock.check '{"sku":"APPLE"}'}.
 */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = "Send a JSON request to a responder of TOPIC and print the JSON reply.")
final class RequestCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Exact topic, e.g. stock.check")
    String topic;

    @Parameters(index = "1", paramLabel = "JSON", description = "The request as JSON.")
    String payload;

    @Option(names = "--timeout", defaultValue = "5s", description = "Reply timeout, e.g. 500ms, 5s (default 5s).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        final Duration limit = Arguments.positiveDuration("--timeout", timeout);
        final JsonNode request = JsonArgument.parse(payload);
        try (Bus bus = transport.open("ipcbus-demo request")) {
            final long start = System.nanoTime();
            final JsonNode reply = bus.request(topic, request, JsonNode.class, limit).join();
            System.out.println(JsonArgument.print(reply));
            System.err.println("reply in " + Durations.format(System.nanoTime() - start) + " via " + bus.uri());
        }
        return 0;
    }
}
