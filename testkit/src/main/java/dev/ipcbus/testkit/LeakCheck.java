// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test class whose Netty buffers leaked. Netty's paranoid leak detection only logs; this extension installs a
 * leak-detector factory that records each report, forces a collection after the class and fails if anything leaked.
 * <p>
 * The kit does not register it: a module that wants it for all its tests lists it in its test resources, in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, with JUnit's extension auto-detection on
 * ({@code junit.jupiter.extensions.autodetection.enabled=true}); that installs the factory before the first buffer
 * class initializes, which {@code @ExtendWith(LeakCheck.class)} on one class cannot promise.
 */
public final class LeakCheck implements AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /**
     * Created by JUnit.
     */
    public LeakCheck() {
    }

    @Override
    public void afterAll(final ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20); // gives the collector's reference processing a moment; each round probes again
            // Leaks are reported when a later buffer is tracked: allocate a few.
            for (int j = 0; j < 64; j++) {
                final ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        final List<String> leaks;
        synchronized (LEAKS) {
            leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty buffers leaked in " + context.getDisplayName() + ": " + leaks);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            final Class<T> resource, final int samplingInterval, final long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(final String resourceType, final String records) {
                    super.reportTracedLeak(resourceType, records);
                    synchronized (LEAKS) {
                        LEAKS.add(resourceType + ": " + records.lines().limit(12).reduce("", (a, b) -> a + b + " | "));
                    }
                }

                @Override
                protected void reportUntracedLeak(final String resourceType) {
                    super.reportUntracedLeak(resourceType);
                    synchronized (LEAKS) {
                        LEAKS.add(resourceType + " (untraced)");
                    }
                }
            };
        }
    }
}
