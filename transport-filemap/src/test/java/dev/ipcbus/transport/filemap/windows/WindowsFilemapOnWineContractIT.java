package dev.ipcbus.transport.filemap.windows;

import dev.ipcbus.testkit.TransportContractTest;
import dev.ipcbus.wine.WineWindowsLayer;
import dev.ipcbus.wine.WineFileMappings;
import dev.ipcbus.wine.WineSession;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
class WindowsFilemapOnWineContractIT extends TransportContractTest {
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
        System.gc();
        final WineFileMappings mappings = new WineFileMappings(WineSession.get().bridge());
        final long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> left = mappings.sweep();
        while (left.stream().anyMatch(name -> name.contains("ipcbus-" + busName + "-"))
            && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            System.gc();
            left = mappings.sweep();
        }
        assertEquals(List.of(), left.stream().filter(name -> name.contains("ipcbus-" + busName + "-")).toList(),
            "named mappings of the bus still open in Wine");
    }
}
