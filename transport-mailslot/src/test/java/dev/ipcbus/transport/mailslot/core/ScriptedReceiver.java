// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DatagramReceiver} fed by the test: each queued step is either bytes (a datagram), a length with no bytes
 * (a datagram the OS reported longer than the buffer), or an exception.
 */
final class ScriptedReceiver implements DatagramReceiver {
    private final LinkedBlockingQueue<Object> steps = new LinkedBlockingQueue<>();
    private final ByteBuf buffer;
    private volatile boolean woken;
    volatile int closeCalls;

    ScriptedReceiver(final int capacity) {
        buffer = Unpooled.buffer(capacity, capacity);
    }

    void datagram(final byte[] bytes) {
        steps.add(bytes);
    }

    void reportedLength(final int length) {
        steps.add(length);
    }

    void failure(final RuntimeException ex) {
        steps.add(ex);
    }

    @Override
    public ByteBuf buffer() {
        return buffer;
    }

    @Override
    public int receive() {
        if (woken) {
            return NOTHING;
        }
        final Object step;
        try {
            step = steps.poll(20, TimeUnit.MILLISECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return NOTHING;
        }
        if (step == null) {
            return NOTHING;
        }
        if (step instanceof RuntimeException) {
            throw (RuntimeException)step;
        }
        if (step instanceof Integer) {
            return (Integer)step;
        }
        final byte[] bytes = (byte[])step;
        final int copied = Math.min(bytes.length, buffer.capacity());
        buffer.setBytes(0, bytes, 0, copied);
        return bytes.length;
    }

    @Override
    public void wakeup() {
        woken = true;
    }

    @Override
    public void close() {
        closeCalls++;
        buffer.release();
    }
}
