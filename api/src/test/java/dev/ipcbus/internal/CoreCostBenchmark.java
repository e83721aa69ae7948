// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Bus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the bus core costs per message in CPU alone, with no second core and no cache line crossing between cores:
 * {@code publishRaw} of a 32-byte payload to a subscriber of the same node over {@code loopback://}, whose outlet
 * delivers synchronously on the publishing thread, so one thread runs publish, frame encoding, delivery, frame
 * validation, topic look-up and dispatch. A stable number to track the core's overhead between changes (cross-process
 * figures on a shared VM swing by 2x); not a latency or throughput figure. A {@code main}, run by neither surefire nor
 * failsafe:
 * <pre>
 * mvn -B -q -o -pl api test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/api-cp.txt \
 *     -Dmdep.includeScope=test
 * java -cp api/target/test-classes:api/target/classes:$(cat /tmp/api-cp.txt) dev.ipcbus.internal.CoreCostBenchmark
 * </pre>
 * Prints, per variant, the median over 7 passes of 2,000,000 messages each (after 3 warm-up passes) in ns/message.
 */
public final class CoreCostBenchmark {
    private static final int MESSAGES = 2_000_000;

    private CoreCostBenchmark() {
    }

    /**
     * @param args ignored.
     */
    public static void main(final String[] args) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        for (final String uri : new String[] {
            "loopback://cost-copy", "loopback://cost-in-place?inPlace=true",
            "loopback://cost-copy-nots?timestamps=false",
            "loopback://cost-in-place-nots?inPlace=true&timestamps=false"}) {
            System.out.printf(Locale.ROOT, "%-60s %6.1f ns/message%n", uri, measure(uri));
        }
    }

    private static double measure(final String uri) {
        final ByteBuf payload = Unpooled.directBuffer(32).writeZero(32);
        final long[] received = new long[1];
        final double[] passes = new double[7];
        try (Bus bus = Bus.open(uri)) {
            bus.subscribeRaw("cost.raw", (buffer, context) -> received[0] += buffer.readableBytes());
            for (int pass = -3; pass < passes.length; pass++) {
                final long start = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++) {
                    bus.publishRaw("cost.raw", payload);
                }
                final double nanos = (System.nanoTime() - start) / (double) MESSAGES;
                if (pass >= 0) {
                    passes[pass] = nanos;
                }
            }
        } finally {
            payload.release();
        }
        if (received[0] != 10L * MESSAGES * 32) {
            throw new IllegalStateException("lost messages: received bytes=" + received[0]);
        }
        Arrays.sort(passes);
        return passes[passes.length / 2];
    }
}
