// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * Skips named test methods inherited from a suite (the conformance suite's methods are package-private in another
 * package, so a subclass cannot override them), each with its stated reason, reported as skipped by JUnit:
 * <pre>{@code
 * @RegisterExtension
 * static final WineSkips SKIPS = WineSkips.of(Map.of("shouldX", "why it cannot run under Wine"));
 * }</pre>
 * <b>Thread safety:</b> immutable.
 */
public final class WineSkips implements ExecutionCondition {
    private final Map<String, String> reasons;

    private WineSkips(final Map<String, String> reasons) {
        this.reasons = Map.copyOf(reasons);
    }

    /**
     * @param reasons test method name to the reason it is skipped.
     * @return the condition.
     */
    public static WineSkips of(final Map<String, String> reasons) {
        return new WineSkips(reasons);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context) {
        final String name = context.getTestMethod().map(Method::getName).orElse(null);
        final String reason = name == null ? null : reasons.get(name);
        return reason == null ? ConditionEvaluationResult.enabled("not skipped under Wine")
            : ConditionEvaluationResult.disabled("skipped under Wine: " + reason);
    }
}
