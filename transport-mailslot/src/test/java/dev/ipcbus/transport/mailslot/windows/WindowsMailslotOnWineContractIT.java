// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.testkit.TransportContract;
import dev.ipcbus.wine.WineWindowsLayer;
import dev.ipcbus.wine.WineSkips;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/**
 * The conformance suite over the Windows mailslot layer under Wine, on plain {@code mailslot://} with the Windows
 * layer selected ({@code -Dipcbus.platform=windows}, set by {@link WineWindowsLayer}): every Win32 call of
 * {@link WindowsMailslotPlatform} is made on Wine's mailslots through the production binding ({@code JnaWin32}) and
 * the shim libraries, in this JVM and in the child JVMs of the cross-process cases (each JVM is its own Wine process).
 * Skipped, with the reason, where Wine is not installed.
 * <p>
 * One case is skipped under Wine, with its reason: the backpressure case, which fills the slot of a reader that stopped
 * reading. Wine backs a mailslot with a Unix datagram socket, so a {@code WriteFile} into a full slot blocks until the
 * reader reads (measured: forever while it does not), where Windows queues the message or fails the write at once with
 * a quota error, which the layer turns into backpressure. The blocked call cannot be bounded from Java, so the case
 * would hang rather than fail. (The paused-subscriber case runs: there the writer's blocked {@code WriteFile} completes
 * once the child continues, though Wine does not bound it by the publish timeout as Windows would.)
 */
@ExtendWith(WineWindowsLayer.class)
class WindowsMailslotOnWineContractIT extends TransportContract {
    @RegisterExtension
    static final WineSkips SKIPS = WineSkips.of(Map.of(
        "shouldFailWithBackpressureNamingTheSlowNodeAndRecover", "MAILSLOT_WRITE_BLOCKS_WHEN_FULL: a mailslot "
            + "WriteFile into a slot whose reader stopped blocks under Wine (Windows: queued, or a quota error that "
            + "becomes BACK_PRESSURED); the backpressure path is verified with the fake Win32 only"));

    @Override
    protected String uri(final String busName) {
        return "mailslot://" + busName;
    }
}
