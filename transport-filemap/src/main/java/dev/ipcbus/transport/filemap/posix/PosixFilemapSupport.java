// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.transport.filemap.core.Doorbell;
import dev.ipcbus.transport.filemap.core.ParkingDoorbell;
import dev.ipcbus.transport.filemap.core.SharedRegion;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Probe of the POSIX filemap layer, computed once: on Linux it checks that JNA loads and that {@code futex} works on
 * this architecture; elsewhere (macOS) it selects timed parking, which needs nothing native.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixFilemapSupport {
    private PosixFilemapSupport() {
    }

    /**
     * @return why the futex doorbell is not usable (not Linux, unknown architecture, JNA does not load, a
     * {@code FUTEX_WAKE} fails), or {@code null}.
     */
    public static Throwable futexUnavailabilityCause() {
        return Probe.FUTEX_FAILURE;
    }

    /**
     * @return the doorbell factory for this OS: futex on Linux, timed parking elsewhere.
     */
    public static Function<SharedRegion, Doorbell> doorbells() {
        return futexUnavailabilityCause() == null ? PosixFutexDoorbell::new : ParkingDoorbell::new;
    }

    private static final class Probe {
        static final Throwable FUTEX_FAILURE = probe();

        private static Throwable probe() {
            if (OperatingSystem.host() != OperatingSystem.LINUX) {
                return new UnsupportedOperationException("futex exists only on Linux: os.name="
                    + System.getProperty("os.name"));
            }
            if (LibCSyscallCalls.sysFutex() < 0) {
                return new UnsupportedOperationException("SYS_futex unknown for this architecture: os.arch="
                    + System.getProperty("os.arch"));
            }
            try {
                final SharedRegion region = new SharedRegion(ByteBuffer.allocateDirect(1024));
                new PosixFutexDoorbell(region).ring();
                return null;
            } catch (final RuntimeException | LinkageError failure) {
                return failure;
            }
        }
    }
}
