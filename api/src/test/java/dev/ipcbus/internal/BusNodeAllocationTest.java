// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw path (publishRaw to subscribeRaw) allocates nothing per message in steady state, measured with the thread's
 * allocation counter over a transport that itself allocates nothing ({@link LoopbackTransportProvider}), whether the
 * outlet copies encoded frames or lets the core write them in place.
 */
class BusNodeAllocationTest {
    @ParameterizedTest
    @ValueSource(strings = {"loopback://alloc", "loopback://alloc-in-place?inPlace=true"})
    void shouldNotAllocatePerMessageOnTheRawPath(final String uri) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // leak tracking allocates by design
        final ByteBuf payload = Unpooled.directBuffer(32).writeZero(32);
        try (Bus bus = Bus.open(uri)) {
            final long[] received = new long[1];
            bus.subscribeRaw("bench.raw", (buffer, context) -> received[0] += buffer.readableBytes());
            for (int i = 0; i < 200_000; i++) { // warm up: JIT, caches, pooled buffers
                bus.publishRaw("bench.raw", payload);
            }
            final int messages = 200_000;
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < messages; i++) {
                bus.publishRaw("bench.raw", payload);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(400_000L * 32, received[0]);
            assertTrue(allocated < messages / 10, "bytes allocated for " + messages + " messages: " + allocated);
        } finally {
            payload.release();
            ResourceLeakDetector.setLevel(level);
        }
    }
}
