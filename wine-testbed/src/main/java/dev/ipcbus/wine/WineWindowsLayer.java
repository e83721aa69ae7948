// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class on the transports' <em>Windows</em> layers with their production JNA binding, under Wine: before
 * the class it checks the test bed ({@link WineAvailability#assumeAvailable()}: skipped with the reason where Wine is
 * absent), starts the {@link WineSession}, installs the {@link WineShim} and sets {@value #PLATFORM_PROPERTY}{@code =}
 * {@value #WINDOWS} (child JVMs inherit both through {@code ChildJvm}); after it, it restores the property and fails
 * the class if the shim saw a violation (a buffer freed or changed during overlapped I/O, ...; details on stderr).
 * <pre>{@code
 * @ExtendWith(WineWindowsLayer.class)
 * class WindowsPipeOnWineContractIT extends TransportContract { ... uri "pipe://" ... }
 * }</pre>
 * <b>Thread safety:</b> stateless; JUnit calls it on the test class's thread.
 */
public final class WineWindowsLayer implements BeforeAllCallback, AfterAllCallback {
    /** The system property that selects the transports' Windows layer on any OS. */
    public static final String PLATFORM_PROPERTY = "ipcbus.platform";
    /** Its value for the Windows layer. */
    public static final String WINDOWS = "windows";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
        WineWindowsLayer.class);
    private static final String PREVIOUS = "previous";

    @Override
    public void beforeAll(final ExtensionContext context) {
        WineAvailability.assumeAvailable();
        WineShim.install();
        final long earlier = WineShim.takeViolations();
        if (earlier > 0) {
            throw new AssertionError(earlier + " shim violation(s) before " + context.getDisplayName()
                + ", by an earlier test class of this JVM (see stderr)");
        }
        context.getStore(NAMESPACE).put(PREVIOUS, System.getProperty(PLATFORM_PROPERTY, ""));
        System.setProperty(PLATFORM_PROPERTY, WINDOWS);
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        final String previous = context.getStore(NAMESPACE).get(PREVIOUS, String.class);
        if (previous == null) {
            return; // beforeAll skipped the class before setting anything
        }
        if (previous.isEmpty()) {
            System.clearProperty(PLATFORM_PROPERTY);
        } else {
            System.setProperty(PLATFORM_PROPERTY, previous);
        }
        final long violations = WineShim.takeViolations();
        if (violations > 0) {
            throw new AssertionError(violations + " shim violation(s) in " + context.getDisplayName()
                + ": the binding broke a Win32 rule Wine cannot see (details on stderr, 'ipcbus win32shim VIOLATION')");
        }
    }
}
