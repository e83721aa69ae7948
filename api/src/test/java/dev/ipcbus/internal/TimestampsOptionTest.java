// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import dev.ipcbus.ConfigurationException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's {@code timestamps} URI option: frames carry the sending time with {@code timestamps=true}, none by
 * default or with {@code timestamps=false} (receivers see 0), and a value other than true or false is refused by name.
 */
class TimestampsOptionTest {
    @Test
    void shouldStampFramesWhenAsked() {
        final long before = System.currentTimeMillis() * 1_000_000L;
        final long stamped = receivedTimestamp("loopback://stamped?timestamps=true");
        assertTrue(stamped >= before - 1_000_000_000L, "timestamp=" + stamped + ", before=" + before);
        final long inPlace = receivedTimestamp("loopback://stamped-in-place?timestamps=true&inPlace=true");
        assertTrue(inPlace >= before - 1_000_000_000L, "timestamp=" + inPlace + ", before=" + before);
    }

    @Test
    void shouldLeaveTheTimestampOutByDefaultAndWhenTimestampsAreOff() {
        assertEquals(0, receivedTimestamp("loopback://unstamped-default"));
        assertEquals(0, receivedTimestamp("loopback://unstamped?timestamps=false"));
        assertEquals(0, receivedTimestamp("loopback://unstamped-in-place?timestamps=false&inPlace=true"));
    }

    @Test
    void shouldRefuseAValueOtherThanTrueOrFalse() {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Bus.open("loopback://bad?timestamps=sometimes").close());
        assertTrue(ex.getMessage().contains("timestamps"), ex.getMessage());
        assertTrue(ex.getMessage().contains("true|false"), ex.getMessage());
    }

    private static long receivedTimestamp(final String uri) {
        final AtomicLong timestamp = new AtomicLong(-1);
        try (Bus bus = Bus.open(uri)) {
            bus.subscribeRaw("ts.test", (payload, context) -> timestamp.set(context.timestampNanos()));
            bus.publishRaw("ts.test", Unpooled.wrappedBuffer(new byte[] {1}));
        }
        return timestamp.get();
    }
}
