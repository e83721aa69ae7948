// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test class of api whose Netty buffers leaked: api's own copy of {@code dev.ipcbus.testkit.LeakCheck}, which
 * api cannot use (the kit depends on api). Keep the two in step. Registered for api's tests through JUnit's extension
 * auto-detection ({@code src/test/resources/META-INF/services}), so it installs its recording leak-detector factory
 * before the first buffer class initializes.
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
            Thread.sleep(20);
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
