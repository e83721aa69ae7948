// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.testkit.TransportContract;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The conformance suite over the production Windows pipe layer (JNA, {@code pipe://}), in-JVM and across child JVMs:
 * runs when {@code mvn verify} runs on Windows. On Linux the same layer runs under Wine instead
 * ({@link WindowsPipeOnWineContractIT}).
 */
@EnabledOnOs(OS.WINDOWS)
class WindowsPipeContractIT extends TransportContract {
    @Override
    protected String uri(final String busName) {
        return "pipe://" + busName;
    }
}
