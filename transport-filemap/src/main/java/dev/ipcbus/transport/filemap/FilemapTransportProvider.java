// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.platform.windows.WindowsPlatform;
import dev.ipcbus.registry.RuntimeDirectory;
import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.spi.ProbedTransportProvider;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.transport.filemap.core.FilemapTransport;
import dev.ipcbus.transport.filemap.core.RingSettings;
import dev.ipcbus.transport.filemap.core.FilemapPlatform;
import dev.ipcbus.transport.filemap.posix.PosixFilemapSupport;
import dev.ipcbus.transport.filemap.posix.PosixFilemapPlatform;
import dev.ipcbus.transport.filemap.windows.WindowsFilemapPlatform;

/**
 * The provider of {@code filemap://}, the default ipcbus transport: shared-memory inboxes with a doorbell.
 * <p>
 * Picks its OS layer on each {@link #create} from {@link OperatingSystem#current()}: Windows (pagefile-backed named
 * mappings and events), Linux ({@code /dev/shm} files and a futex), macOS (files in the runtime directory and timed
 * parking). Other systems are unsupported. {@code -Dipcbus.filemap.disable=true} turns the transport off.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class FilemapTransportProvider extends ProbedTransportProvider {
    /**
     * Cheap: loads nothing native.
     */
    public FilemapTransportProvider() {
        super(FilemapTransport.SCHEME, FilemapTransportProvider::unavailabilityCause);
    }

    @Override
    public Transport create(final TransportContext context) {
        final RingSettings settings = FilemapOptions.read(context.options());
        ensureAvailable();
        final FilemapPlatform store;
        if (OperatingSystem.current() == OperatingSystem.WINDOWS) {
            store = new WindowsFilemapPlatform(context.busName(), WindowsPlatform.win32());
        } else {
            store = new PosixFilemapPlatform(context.busName(), RuntimeDirectory.userName(), context.runtimeDirectory(),
                PosixFilemapPlatform.defaultDirectory(context.runtimeDirectory()), PosixFilemapSupport.doorbells());
        }
        return new FilemapTransport(context, store, settings);
    }

    private static Throwable unavailabilityCause(final OperatingSystem os) {
        switch (os) {
            case LINUX:
                final Throwable futex = PosixFilemapSupport.futexUnavailabilityCause();
                return futex == null ? null : new TransportUnavailableException("futex doorbell unusable (JNA or the "
                    + "C library failed to load?): " + futex, futex);
            case MAC:
                return null;
            case WINDOWS:
                final Throwable win32 = WindowsPlatform.unavailabilityCause();
                return win32 == null ? null : new TransportUnavailableException("Win32 file mappings unusable (JNA "
                    + "failed to load?): " + win32, win32);
            default:
                return new UnsupportedOperationException("unsupported OS (Linux, macOS and Windows are supported): "
                    + "os.name=" + System.getProperty("os.name"));
        }
    }
}
