package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.testkit.TransportContractTest;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WinePipeTransportProvider;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite over the Windows pipe layer under Wine ({@code winepipe://}): every Win32 call of
 * {@link WindowsPipeTransport} is made on Wine's named pipes through the bridge, in this JVM and in the child JVMs of
 * the cross-process cases (each JVM is its own Wine process). Skipped, with the reason, where Wine is not installed.
 */
class WindowsPipeOnWineContractIT extends TransportContractTest {
    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @Override
    protected String uri(final String busName) {
        return WinePipeTransportProvider.SCHEME + "://" + busName;
    }
}
