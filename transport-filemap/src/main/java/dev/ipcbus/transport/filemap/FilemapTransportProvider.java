package dev.ipcbus.transport.filemap;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;
import dev.ipcbus.transport.filemap.core.RingSettings;
import dev.ipcbus.transport.filemap.core.RingTransport;
import dev.ipcbus.transport.filemap.core.SegmentStore;
import dev.ipcbus.transport.filemap.posix.PosixFilemapSupport;
import dev.ipcbus.transport.filemap.posix.PosixSegmentStore;
import dev.ipcbus.transport.filemap.windows.WindowsSegmentStore;

import java.util.Locale;

/**
 * The provider of {@code filemap://}, the default ipcbus transport: shared-memory inboxes with a doorbell.
 * <p>
 * Picks its OS layer once: Windows (pagefile-backed named mappings and events), Linux ({@code /dev/shm} files and a
 * futex), macOS (files in the runtime directory and timed parking); {@code -Dipcbus.platform=windows} selects the
 * Windows layer on any OS ({@link WindowsPlatform#isSelected()}). Other systems are unsupported. Set
 * {@code -Dipcbus.filemap.disable=true} to turn the transport off.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class FilemapTransportProvider implements TransportProvider {
    /** System property that disables this transport when {@code true}. */
    public static final String DISABLE_PROPERTY = "ipcbus.filemap.disable";

    /**
     * Cheap: loads nothing native.
     */
    public FilemapTransportProvider() {
    }

    @Override
    public String scheme() {
        return RingTransport.SCHEME;
    }

    @Override
    public boolean isSupported() {
        return Probe.REASON == null;
    }

    @Override
    public String unsupportedReason() {
        return Probe.REASON;
    }

    @Override
    public Transport create(final TransportContext context) {
        final RingSettings settings = FilemapOptions.read(context.options());
        if (!isSupported()) {
            throw new TransportUnavailableException("filemap transport unavailable: reason=" + Probe.REASON,
                Probe.CAUSE);
        }
        final SegmentStore store;
        switch (Probe.OS) {
            case WINDOWS:
                store = new WindowsSegmentStore(context.busName(), WindowsPlatform.win32());
                break;
            case LINUX:
            case MAC:
                store = new PosixSegmentStore(context.busName(), RuntimeDirectory.userName(),
                    context.runtimeDirectory(), PosixSegmentStore.defaultDirectory(context.runtimeDirectory()),
                    PosixFilemapSupport.doorbells());
                break;
            default:
                throw new TransportUnavailableException("filemap transport unavailable: reason=" + Probe.REASON);
        }
        return new RingTransport(context, store, settings);
    }

    @Override
    public String toString() {
        return "FilemapTransportProvider{os=" + Probe.OS + ", supported=" + isSupported() + "}";
    }

    /** The operating systems this provider knows. */
    enum Os {
        LINUX, MAC, WINDOWS, OTHER;

        static Os current() {
            if (WindowsPlatform.isSelected()) {
                return WINDOWS;
            }
            final String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (name.startsWith("linux")) {
                return LINUX;
            }
            if (name.startsWith("mac") || name.startsWith("darwin")) {
                return MAC;
            }
            if (name.startsWith("windows")) {
                return WINDOWS;
            }
            return OTHER;
        }
    }

    private static final class Probe {
        static final Os OS = Os.current();
        static final Throwable CAUSE;
        static final String REASON;

        static {
            Throwable cause = null;
            String reason = null;
            if (Boolean.getBoolean(DISABLE_PROPERTY)) {
                reason = "disabled by -D" + DISABLE_PROPERTY + "=true";
            } else {
                switch (OS) {
                    case LINUX:
                        if (!PosixFilemapSupport.isFutexAvailable()) {
                            cause = PosixFilemapSupport.futexUnavailabilityCause();
                            reason = "futex doorbell unusable (JNA or the C library failed to load?): " + cause;
                        }
                        break;
                    case MAC:
                        break;
                    case WINDOWS:
                        if (!WindowsPlatform.isAvailable()) {
                            cause = WindowsPlatform.unavailabilityCause();
                            reason = "Win32 file mappings unusable (JNA failed to load?): " + cause;
                        }
                        break;
                    default:
                        reason = "unsupported OS (Linux, macOS and Windows are supported): os.name="
                            + System.getProperty("os.name");
                        break;
                }
            }
            CAUSE = cause;
            REASON = reason;
        }
    }
}
