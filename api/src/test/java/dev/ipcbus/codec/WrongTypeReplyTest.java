// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.codec;

import dev.ipcbus.Bus;
import dev.ipcbus.CodecException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reply decoded into a type it has nothing in common with fails the request instead of completing with nulls. */
class WrongTypeReplyTest {
    record Quote(String sku, long cents) {
    }

    record Receipt(String orderId, boolean paid) {
    }

    @Test
    void replyOfAnotherTypeFailsTheRequest() throws Exception {
        try (Bus bus = Bus.open("inproc://wrong-type-reply")) {
            bus.respond("shop.quote", String.class, (sku, context) -> new Quote(sku, 1999));
            assertEquals(new Quote("a-1", 1999),
                bus.request("shop.quote", "a-1", Quote.class, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS));
            final ExecutionException failure = assertThrows(ExecutionException.class,
                () -> bus.request("shop.quote", "a-1", Receipt.class, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS));
            assertInstanceOf(CodecException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().contains("no property in common"),
                failure.getCause().getMessage());
        }
    }
}
