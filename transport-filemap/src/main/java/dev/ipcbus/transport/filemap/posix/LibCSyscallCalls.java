// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ipcbus.NativeCallException;

import java.util.Locale;

/**
 * Checked wrappers over {@link LibCSyscall}: futex wait and wake, with {@code errno} read right after each call and
 * failures raised as {@link NativeCallException}.
 * <p>
 * <b>Thread safety:</b> {@link #futexWake} is safe for concurrent use; {@link #futexWait} uses the caller-owned
 * timespec memory it is given.
 */
final class LibCSyscallCalls {
    private static final long SYS_FUTEX = sysFutex();

    private LibCSyscallCalls() {
    }

    /**
     * @return {@code SYS_futex} for this machine's architecture, or -1 if unknown.
     */
    static long sysFutex() {
        final String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return LibCSyscall.SYS_futex_x86_64;
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return LibCSyscall.SYS_futex_aarch64;
        }
        return -1;
    }

    /**
     * {@code FUTEX_WAKE}: wakes up to {@code count} threads waiting on the word.
     *
     * @param address the word's native address.
     * @param count   how many waiters to wake.
     * @return how many were woken.
     * @throws NativeCallException if the call fails.
     */
    static int futexWake(final long address, final int count) {
        final long result = LibCSyscall.syscall(SYS_FUTEX, address, LibCSyscall.FUTEX_WAKE, count, 0, 0, 0);
        if (result < 0) {
            final int errno = Native.getLastError();
            throw failure("futex", errno, "op=FUTEX_WAKE, address=0x" + Long.toHexString(address));
        }
        return (int) result;
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the word equals {@code expected}, up to the timeout. Returns normally when
     * woken, when the word differs ({@code EAGAIN}), on timeout or on a signal; the caller re-checks.
     *
     * @param address      the word's native address.
     * @param expected     the value the word must hold for the call to sleep.
     * @param timeoutNanos the relative timeout.
     * @param timespec     16 bytes of caller-owned native memory for the {@code struct timespec}.
     * @throws NativeCallException if the call fails for another reason.
     */
    static void futexWait(final long address, final int expected, final long timeoutNanos, final Memory timespec) {
        timespec.setLong(0, timeoutNanos / 1_000_000_000L);
        timespec.setLong(Long.BYTES, timeoutNanos % 1_000_000_000L);
        final long result = LibCSyscall.syscall(SYS_FUTEX, address, LibCSyscall.FUTEX_WAIT, expected,
            Pointer.nativeValue(timespec), 0, 0);
        if (result < 0) {
            final int errno = Native.getLastError();
            if (errno != LibCSyscall.EAGAIN && errno != LibCSyscall.ETIMEDOUT && errno != LibCSyscall.EINTR) {
                throw failure("futex", errno, "op=FUTEX_WAIT, address=0x" + Long.toHexString(address));
            }
        }
    }

    private static NativeCallException failure(final String function, final int errno, final String context) {
        String text;
        try {
            text = LibCSyscall.strerror(errno);
        } catch (final RuntimeException | LinkageError ex) {
            text = "errno " + errno;
        }
        return new NativeCallException(function, errno, text, context);
    }
}
