// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.testkit.TransportContract;
import dev.ipcbus.wine.WineWindowsLayer;
import dev.ipcbus.wine.WineFileMappings;
import dev.ipcbus.wine.WineSession;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;

import static dev.ipcbus.testkit.ContractSupport.awaitUntil;

/**
 * The conformance suite over the Windows filemap layer under Wine, on plain {@code filemap://} with the Windows layer
 * selected ({@code -Dipcbus.platform=windows}, set by {@link WineWindowsLayer}): every Win32 call of
 * {@link WindowsFilemapPlatform} and {@link WindowsEventDoorbell} is made on Wine's named mappings and events through the
 * production binding ({@code JnaWin32}) and the shim libraries, in this JVM and in the child JVMs of the cross-process
 * cases (each JVM is its own Wine process), with the ring bytes shared through {@code /dev/shm} backing files. Also checks that every named mapping of the bus is gone
 * once its nodes closed (Windows frees a name with its last handle). Skipped, with the reason, where Wine is not
 * installed.
 */
@ExtendWith(WineWindowsLayer.class)
class WindowsFilemapOnWineContractIT extends TransportContract {
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

    @Override
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        super.assertNothingLeftBehind(busName);
        final WineFileMappings mappings = new WineFileMappings(WineSession.get().bridge());
        final String prefix = "ipcbus-" + busName + "-";
        // A mapping is freed with its last handle, which a collected but not yet cleaned view may still hold.
        awaitUntil(() -> {
            System.gc();
            return mappings.sweep().stream().noneMatch(name -> name.contains(prefix));
        }, Duration.ofSeconds(5), "named mappings of the bus closed in Wine");
    }
}
