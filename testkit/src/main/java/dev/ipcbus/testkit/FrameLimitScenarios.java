// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.BusUri;
import dev.ipcbus.MessageTooLargeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes of one bus whose URIs give their inboxes different frame limits, in two processes (issue 13, item 2): a
 * subscriber in a child JVM with the small limit, a publisher in this JVM with the large one. The publisher sends
 * seq 0-4 (small), 5 (larger than the subscriber's limit, within the publisher's), 6-10 and 11-15 (small). Each
 * publish either returns normally, and then its message must arrive, or throws {@link MessageTooLargeException}
 * naming the subscriber's node, its limit and the option that raises it; every small message arrives, in order.
 * <p>
 * Each transport runs it from one of its cross-process {@code *IT}s, with its own options.
 * <p>
 * <b>Thread safety:</b> not thread-safe; call from the test thread.
 */
public final class FrameLimitScenarios {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOPIC = "limits.seq";
    private static final int SMALL_PAYLOAD = 64;
    private static final int BIG_SEQ = 5;
    /** The big message: beyond the subscriber's limit, within the publisher's. */
    private static final int BIG_PAYLOAD = 100_000;
    private static final int LAST_SEQ = 15;

    private FrameLimitScenarios() {
    }

    /**
     * Runs the scenario on a fresh bus and removes what it left in the bus directory.
     *
     * @param scheme      the transport.
     * @param smallQuery  the subscriber's URI options, e.g. {@code "?maxFrameLength=64KiB"} (small inbox limit).
     * @param largeQuery  the publisher's URI options (large limit).
     * @param smallLimit  the largest frame the subscriber's inbox accepts, as its transport computes it.
     * @param limitOption the URI option the exception must name.
     */
    public static void publishAcrossMismatchedLimits(final String scheme, final String smallQuery,
        final String largeQuery, final int smallLimit, final String limitOption) {
        final String bus = scheme + "://limits-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 36);
        final String smallUri = bus + smallQuery;
        final String largeUri = bus + largeQuery;
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final BusUri uri = BusUri.parse(largeUri);
        try (ChildJvm subscriber = ChildJvm.node(smallUri, "subscribe", "limits.>")) {
            final String subscriberNode = subscriber.awaitLine("READY", WAIT).substring("READY ".length());
            try (Bus publisher = Bus.open(BusConfig.builder().uri(largeUri).errorHandler(errors::add).build())) {
                assertEquals(smallLimit, advertisedLimit(uri, subscriberNode),
                    "the subscriber's registry record advertises its inbox limit");
                final List<Integer> published = new ArrayList<>();
                final List<MessageTooLargeException> refused = new ArrayList<>();
                for (int seq = 0; seq <= LAST_SEQ; seq++) {
                    try {
                        publisher.publish(TOPIC, payload(seq, seq == BIG_SEQ ? BIG_PAYLOAD : SMALL_PAYLOAD));
                        published.add(seq);
                    } catch (final MessageTooLargeException ex) {
                        refused.add(ex);
                    }
                }
                for (final MessageTooLargeException ex : refused) {
                    assertEquals(subscriberNode, ex.node(), ex.getMessage());
                    assertEquals(smallLimit, ex.maxLength(), ex.getMessage());
                    assertTrue(ex.getMessage().contains("option=" + limitOption), ex.getMessage());
                }
                assertEquals(LAST_SEQ + 1, published.size() + refused.size());
                for (final int seq : published) {
                    final String line = subscriber.awaitLine("GOT", WAIT);
                    assertEquals(seq, receivedSeq(line), "per-publisher order, nothing lost; published="
                        + published + ", refused=" + refused.size());
                }
                assertEquals(List.of(), errors, "the publisher's error handler");
            }
            subscriber.kill();
        } finally {
            sweep(uri);
        }
    }

    /** @return the {@code maxFrameLength} field of the node's registry file, as another process would read it. */
    private static int advertisedLimit(final BusUri uri, final String node) {
        final Path file = BusDirectories.of(uri).resolve(node + ".node");
        try {
            return new ObjectMapper().readTree(file.toFile()).path("maxFrameLength").asInt(-1);
        } catch (final IOException ex) {
            throw new AssertionError("cannot read the node file: file=" + file, ex);
        }
    }

    private static String payload(final int seq, final int length) {
        final StringBuilder text = new StringBuilder(length).append(seq).append(':');
        while (text.length() < length) {
            text.append((char)('a' + text.length() % 26));
        }
        return text.toString();
    }

    private static int receivedSeq(final String gotLine) {
        final String payload = gotLine.substring(("GOT " + TOPIC + " ").length());
        return Integer.parseInt(payload.substring(0, payload.indexOf(':')));
    }

    /** Reclaims the killed child through a fresh node's look at the registry, then removes the bus directory. */
    private static void sweep(final BusUri uri) {
        final Path directory = BusDirectories.of(uri);
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Bus sweeper = Bus.open(uri.scheme() + "://" + uri.busName())) {
            sweeper.nodes();
        }
        BusDirectories.remove(directory);
    }
}
