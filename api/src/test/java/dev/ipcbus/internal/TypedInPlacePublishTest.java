// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.CodecException;
import dev.ipcbus.MessageTooLargeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A typed publish to one node whose outlet writes in place is encoded straight into the room the outlet gives; one
 * that needs more room than the topic's recent frames, or carries headers, or fails to serialize takes the general
 * path, and every message arrives whole and once, in order. The {@code loopback://} transport delivers on the
 * publishing thread and counts frames written in place.
 */
class TypedInPlacePublishTest {
    /** A message whose length varies with its note. */
    record Note(int seq, String text) {
    }

    /** Jackson cannot serialize this (no properties, FAIL_ON_EMPTY_BEANS). */
    static final class Opaque {
    }

    @Test
    void shouldDeliverEveryTypedMessageOnceWhetherWrittenInPlaceOrNot() {
        final String busName = "typed-in-place-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<Note> received = new ArrayList<>();
        final List<Note> sent = new ArrayList<>();
        try (Bus bus = Bus.open(BusConfig.builder().uri("loopback://" + busName + "?inPlace=true")
            .errorHandler(errors::add).build())) {
            bus.subscribe("notes.typed", Note.class, (note, context) -> received.add(note));
            final int[] lengths = {10, 10, 12, 3000, 8, 8, 700, 9, 9, 9, 9, 9, 9, 9, 9, 11};
            for (int i = 0; i < lengths.length; i++) {
                final Note note = new Note(i, "x".repeat(lengths[i]));
                sent.add(note);
                bus.publish("notes.typed", note);
            }
            final Note withHeaders = new Note(lengths.length, "headers take the general path");
            sent.add(withHeaders);
            bus.publish("notes.typed", withHeaders, Map.of("k", "v"));

            final long inPlaceBefore = LoopbackTransportProvider.inPlaceFrames(busName);
            assertThrows(MessageTooLargeException.class,
                () -> bus.publish("notes.typed", new Note(-1, "x".repeat(5000))), "loopback's limit is 4096");
            final CodecException failure = assertThrows(CodecException.class,
                () -> bus.publish("notes.typed", new Opaque()));
            assertTrue(failure.getMessage().contains("notes.typed"), failure.getMessage());
            assertEquals(inPlaceBefore, LoopbackTransportProvider.inPlaceFrames(busName), "nothing delivered");
            final Note after = new Note(lengths.length + 1, "still works");
            sent.add(after);
            bus.publish("notes.typed", after);

            assertEquals(sent, received);
            assertEquals(List.of(), errors);
            // The first frame opens the outlet (general path); longer frames than the room and the one with headers
            // take the general path too (3000, maybe 700, and the one too large for the transport).
            final long inPlace = LoopbackTransportProvider.inPlaceFrames(busName);
            assertTrue(inPlace >= sent.size() - 5 && inPlace < sent.size(), "in place: " + inPlace
                + " of " + sent.size());
        }
    }
}
