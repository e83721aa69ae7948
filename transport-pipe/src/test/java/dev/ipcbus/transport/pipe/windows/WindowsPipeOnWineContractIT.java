// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.testkit.TransportContract;
import dev.ipcbus.wine.WineWindowsLayer;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conformance suite over the Windows pipe layer under Wine, on plain {@code pipe://} with the Windows layer
 * selected ({@code -Dipcbus.platform=windows}, set by {@link WineWindowsLayer}): every Win32 call of
 * {@link PipeTransport} is made on Wine's named pipes through the production binding ({@code JnaWin32}) and the
 * shim libraries, in this JVM and in the child JVMs of the cross-process cases (each JVM is its own Wine process).
 * Skipped, with the reason, where Wine is not installed.
 */
@ExtendWith(WineWindowsLayer.class)
class WindowsPipeOnWineContractIT extends TransportContract {
    @Override
    protected String uri(final String busName) {
        return "pipe://" + busName;
    }
}
