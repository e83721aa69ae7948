// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.ResponderFailedException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A bus node in a child JVM, driven by {@link ChildJvm}: {@code ChildNode <uri> <mode> <args...>}. It prints
 * {@code READY <node id>} once set up, one line per event, and exits when its standard input closes.
 * <ul>
 *   <li>{@code subscribe <pattern>}: prints {@code GOT <topic> <payload>} for each String message.</li>
 *   <li>{@code respond <topic>}: replies {@code "echo:" + request}.</li>
 *   <li>{@code hang <topic>}: prints {@code RECEIVED <request>} when a request arrives and responds with a future
 *   that never completes.</li>
 *   <li>{@code publish <topic> <count>}: publishes {@code "m0"}..., prints {@code DONE}.</li>
 *   <li>{@code request <topic>}: requests {@code "ping"}, prints {@code REPLY <value>} or {@code ERROR <type>}.</li>
 * </ul>
 * Every line received on standard input is published as a String on the topic {@code child.in} first.
 */
public final class ChildNode {
    private ChildNode() {
    }

    /**
     * @param args {@code <uri> <mode> <args...>}.
     * @throws Exception on any failure (printed, exit code 1).
     */
    public static void main(final String[] args) throws Exception {
        try (Bus bus = Bus.open(args[0])) {
            final String mode = args[1];
            switch (mode) {
                case "subscribe":
                    bus.subscribe(args[2], String.class, (message, context) -> {
                        System.out.println("GOT " + context.topic() + " " + message);
                        System.out.flush();
                    });
                    break;
                case "respond":
                    bus.respond(args[2], String.class, (request, context) -> "echo:" + request);
                    break;
                case "hang":
                    bus.respond(args[2], String.class, (request, context) -> {
                        System.out.println("RECEIVED " + request);
                        System.out.flush();
                        return new CompletableFuture<String>();
                    });
                    break;
                case "publish":
                    break;
                case "request":
                    break;
                default:
                    throw new IllegalArgumentException("unknown mode: " + mode);
            }
            System.out.println("READY " + bus.nodeId());
            System.out.flush();
            if ("publish".equals(mode)) {
                final int count = Integer.parseInt(args[3]);
                for (int i = 0; i < count; i++) {
                    bus.publish(args[2], "m" + i);
                }
                System.out.println("DONE");
                System.out.flush();
            } else if ("request".equals(mode)) {
                try {
                    final String reply = bus.request(args[2], "ping", String.class, Duration.ofSeconds(10)).join();
                    System.out.println("REPLY " + reply);
                } catch (final CompletionException ex) {
                    final Throwable cause = ex.getCause();
                    System.out.println("ERROR " + cause.getClass().getSimpleName() + " "
                        + (cause instanceof ResponderFailedException
                        ? ((ResponderFailedException)cause).remoteType() : cause.getMessage()));
                }
                System.out.flush();
            }
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                bus.publish("child.in", line);
            }
        }
    }
}
