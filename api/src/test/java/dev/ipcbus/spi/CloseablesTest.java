// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import dev.ipcbus.BusException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CloseablesTest {
    @Test
    void shouldCloseEveryResourceAndThrowOnceWithEveryFailureSuppressed() {
        final List<String> closed = new ArrayList<>();
        final IllegalStateException first = new IllegalStateException("one");
        final IllegalStateException second = new IllegalStateException("two");
        final List<AutoCloseable> resources = List.of(
            () -> closed.add("a"),
            () -> {
                closed.add("b");
                throw first;
            },
            () -> closed.add("c"),
            () -> {
                closed.add("d");
                throw second;
            });
        final BusException ex = assertThrows(BusException.class, () -> Closeables.closeAll("things: n=4", resources));
        assertEquals(List.of("a", "b", "c", "d"), closed);
        assertEquals("closing things: n=4 failed: failures=2", ex.getMessage());
        assertArrayEquals(new Throwable[] {first, second}, ex.getSuppressed());
    }

    @Test
    void shouldBeQuietWhenEverythingCloses() {
        final List<String> closed = new ArrayList<>();
        Closeables.closeAll("nothing", List.of(() -> closed.add("x")));
        assertEquals(List.of("x"), closed);
    }
}
