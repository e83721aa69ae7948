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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers requests on a topic until Ctrl-C: with a fixed JSON reply ({@code --reply}) or by echoing the request.
 */
@Command(name = "respond", mixinStandardHelpOptions = true,
    description = "Answer requests on TOPIC: reply with --reply JSON, or echo the request back.")
final class RespondCommand implements Callable<Integer> {
    @Mixin
    BusUriOption transport;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Exact topic, e.g. stock.check")
    String topic;

    @Option(names = "--reply", paramLabel = "JSON", description = "Reply with this JSON instead of echoing.")
    String reply;

    @Override
    public Integer call() throws Exception {
        final JsonNode fixed = reply == null ? null : JsonArgument.parse(reply);
        final CountDownLatch readerGone = new CountDownLatch(1);
        final AtomicLong answered = new AtomicLong();
        try (Bus bus = transport.open("ipcbus-demo respond")) {
            bus.respond(topic, JsonNode.class, (request, context) -> {
                // the request is answered even if nobody reads the log any more; the command then ends
                if (!Output.line(topic + " " + JsonArgument.print(request) + "  (from " + context.senderNode() + ")")) {
                    readerGone.countDown();
                }
                answered.incrementAndGet();
                return fixed != null ? fixed : request;
            });
            System.err.println("responding to " + topic + " on " + bus.uri() + " as node " + bus.nodeId());
            transport.ready(bus.nodeId());
            readerGone.await();
            System.err.println("respond: answered " + answered.get() + " request(s), stopped: standard output closed");
        }
        return 0;
    }
}
