// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.testkit.TransportContract;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The conformance suite over the production Windows filemap layer (JNA, pagefile-backed mappings, {@code filemap://}),
 * in-JVM and across child JVMs: runs when {@code mvn verify} runs on Windows. On Linux the same layer runs under Wine
 * instead ({@link WindowsFilemapOnWineContractIT}).
 */
@EnabledOnOs(OS.WINDOWS)
class WindowsFilemapContractIT extends TransportContract {
    @Override
    protected String uri(final String busName) {
        return "filemap://" + busName;
    }

    /**
     * A 64 KiB ring (frames up to 8 KiB), which the integrity check wraps thousands of times, and a 300 ms stall
     * timeout, which its paused publishers outlast.
     */
    @Override
    protected String integrityUri(final String busName) {
        return uri(busName) + "?capacity=64KiB&stallTimeout=300ms";
    }
}
