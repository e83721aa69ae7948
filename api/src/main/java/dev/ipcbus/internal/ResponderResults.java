// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What every bus core does with a responder's result and a request's timeout, in one place: a
 * {@link CompletionStage} replies when it completes (its failure unwrapped from {@link CompletionException}), any
 * other value replies at once.
 * <p>
 * <b>Thread safety:</b> stateless.
 */
final class ResponderResults {
    private ResponderResults() {
    }

    /**
     * @param result  what the handler returned.
     * @param onValue called with the reply value (now, or when the stage completes).
     * @param onError called with the failure of a failed stage.
     */
    static void whenDone(final Object result, final Consumer<Object> onValue, final Consumer<Throwable> onError) {
        if (!(result instanceof CompletionStage)) {
            onValue.accept(result);
            return;
        }
        ((CompletionStage<?>)result).whenComplete((value, error) -> {
            if (error != null) {
                onError.accept(error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error);
            } else {
                onValue.accept(value);
            }
        });
    }

    /**
     * @param timeout a request's timeout.
     * @return it, checked.
     * @throws IllegalArgumentException if it is zero or negative.
     */
    static Duration checkTimeout(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive: timeout=" + timeout);
        }
        return timeout;
    }
}
