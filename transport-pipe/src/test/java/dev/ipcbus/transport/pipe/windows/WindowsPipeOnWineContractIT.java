package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.testkit.TransportContractTest;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WinePipeTransportProvider;
import dev.ipcbus.wine.WineSkips;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/**
 * The conformance suite over the Windows pipe layer under Wine ({@code winepipe://}): every Win32 call of
 * {@link WindowsPipeTransport} is made on Wine's named pipes through the bridge, in this JVM and in the child JVMs of
 * the cross-process cases (each JVM is its own Wine process). Skipped, with the reason, where Wine is not installed.
 * <p>
 * One case is skipped under Wine, with its reason: {@code shouldSurviveGarbageFromAForeignWriter} reads the victim's
 * counters as soon as a message sent afterwards <em>on another connection</em> arrives. The pipe inbox reads each
 * connection on its own thread, so nothing orders the two connections; under Wine every {@code ReadFile} costs a
 * bridge round trip (0.3-1 ms), the garbage connection's reader is still behind, and the count is short (measured:
 * 3 of 10 counted). The suite should wait for the count (reported to the lead); the same garbage handling is
 * verified race-free in {@link WindowsPipeOnWineIT#shouldDropAConnectionThatSendsGarbageAndKeepServing}.
 */
class WindowsPipeOnWineContractIT extends TransportContractTest {
    @RegisterExtension
    static final WineSkips SKIPS = WineSkips.of(Map.of(
        "shouldSurviveGarbageFromAForeignWriter", "suite race: counters read before the garbage connection's reader "
            + "caught up (connections are read by separate threads; each ReadFile is a 0.3-1 ms bridge round trip "
            + "under Wine); garbage handling is verified in WindowsPipeOnWineIT"));

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @Override
    protected String uri(final String busName) {
        return WinePipeTransportProvider.SCHEME + "://" + busName;
    }
}
