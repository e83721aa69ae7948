// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.frame.FrameFlyweight;
import dev.ipcbus.spi.FrameListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test helpers: valid frames of a given total length, and a listener that validates frames as the core does.
 */
final class Frames {
    private Frames() {
    }

    /**
     * @param length the total frame length, header included, at least 15 (a plain publish header and a 1-byte topic).
     * @return a valid publish frame of exactly that length with random payload; the caller releases it.
     */
    static ByteBuf frame(final int length) {
        final byte[] topic = FrameEncoder.utf8("t");
        final ByteBuf buf = Unpooled.directBuffer(length, length);
        FrameEncoder.begin(buf, FrameDescriptor.TYPE_PUBLISH, 0, FrameDescriptor.CONTENT_TYPE_RAW, 1, 0, 0, 0, topic,
            Map.of());
        final byte[] payload = new byte[length - buf.writerIndex()];
        ThreadLocalRandom.current().nextBytes(payload);
        buf.writeBytes(payload);
        return buf;
    }

    /**
     * @return {@code frame}'s readable bytes.
     */
    static byte[] bytes(final ByteBuf frame) {
        return ByteBufUtil.getBytes(frame);
    }

    /**
     * A listener that checks each frame with {@link FrameFlyweight} (as the core does), queues valid ones as bytes and
     * counts the invalid ones.
     */
    static final class Validating implements FrameListener {
        final LinkedBlockingQueue<byte[]> valid = new LinkedBlockingQueue<>();
        final AtomicInteger invalid = new AtomicInteger();
        private final FrameFlyweight flyweight = new FrameFlyweight();

        @Override
        public void onFrame(final ByteBuf frame) {
            try {
                flyweight.wrap(frame);
            } catch (final RuntimeException ex) {
                invalid.incrementAndGet();
                return;
            }
            valid.add(bytes(frame));
        }
    }
}
