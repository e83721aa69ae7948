package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.testkit.TransportContractTest;
import dev.ipcbus.wine.WineAvailability;
import dev.ipcbus.wine.WineMailslotTransportProvider;
import dev.ipcbus.wine.WineSkips;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/**
 * The conformance suite over the Windows mailslot layer under Wine ({@code winemailslot://}): every Win32 call of
 * {@link WindowsMailslotPlatform} is made on Wine's mailslots through the bridge, in this JVM and in the child JVMs of
 * the cross-process cases (each JVM is its own Wine process). Skipped, with the reason, where Wine is not installed.
 * <p>
 * Skipped under Wine, with the reasons below: the cases that fill a slot whose reader has stopped. Wine backs a
 * mailslot with a Unix datagram socket pair, so a {@code WriteFile} into a full slot blocks until the reader reads
 * (measured: forever while the reader stops), where Windows queues the message or fails the write at once with a quota
 * error, which the layer turns into backpressure. The blocked call cannot be bounded from Java, so these cases would
 * hang rather than fail.
 */
class WindowsMailslotOnWineContractIT extends TransportContractTest {
    @RegisterExtension
    static final WineSkips SKIPS = WineSkips.of(Map.of(
        "shouldFailWithBackpressureNamingTheSlowNodeAndRecover", "WINE_MAILSLOT_WRITE_BLOCKS_WHEN_FULL: a mailslot "
            + "WriteFile into a slot whose reader stopped blocks under Wine (Windows: queued, or a quota error that "
            + "becomes BACK_PRESSURED); the backpressure path is verified with the fake Win32MailslotApi only",
        "shouldTreatAPausedSubscriberAsAlive", "WINE_MAILSLOT_WRITE_BLOCKS_WHEN_FULL: the stopped child's slot fills "
            + "and the publisher's WriteFile blocks under Wine instead of returning a quota error"));

    @BeforeAll
    static void wine() {
        WineAvailability.assumeAvailable();
    }

    @Override
    protected String uri(final String busName) {
        return WineMailslotTransportProvider.SCHEME + "://" + busName;
    }
}
