// SPDX-License-Identifier: Apache-2.0
package example;

import dev.ipcbus.Bus;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DefaultUriTest {
    record Greeting(String text) {
    }

    @Test
    void busOpensOnTheDefaultUriAndCarriesAMessage() throws Exception {
        final BlockingQueue<Greeting> received = new ArrayBlockingQueue<>(1);
        try (Bus bus = Bus.open()) {
            assertEquals("filemap", bus.uri().scheme());
            bus.subscribe("hello.>", Greeting.class, (greeting, context) -> received.add(greeting));
            bus.publish("hello.world", new Greeting("hi"));
            assertEquals(new Greeting("hi"), received.poll(10, TimeUnit.SECONDS));
        }
    }
}
