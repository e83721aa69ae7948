// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.Subscription;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A subscription or responder of an engine-routed node: closing it closes the engine's registration once and tells
 * the node, which stops listing it.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
final class EngineRegistration implements Subscription {
    private final String pattern;
    private final Subscription engine;
    private final Consumer<EngineRegistration> onClose;
    private final AtomicBoolean active = new AtomicBoolean(true);

    /**
     * @param pattern the pattern or topic.
     * @param engine  the engine's registration.
     * @param onClose called once, on the first {@link #close()}.
     */
    EngineRegistration(final String pattern, final Subscription engine, final Consumer<EngineRegistration> onClose) {
        this.pattern = pattern;
        this.engine = engine;
        this.onClose = onClose;
    }

    @Override
    public String pattern() {
        return pattern;
    }

    @Override
    public void close() {
        if (active.compareAndSet(true, false)) {
            onClose.accept(this);
            engine.close();
        }
    }
}
