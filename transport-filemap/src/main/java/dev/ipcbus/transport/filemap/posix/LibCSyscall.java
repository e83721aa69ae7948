// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.filemap.posix;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Raw JNA bindings to the C library's {@code syscall} and {@code strerror}, direct-mapped (cheaper per call than an
 * interface proxy). Loaded only when first used, which only the Linux code path does.
 * <p>
 * {@code syscall} is variadic in C; it is bound here with the fixed arguments of {@code futex(2)}. That is safe on
 * x86_64 and aarch64 because glibc's {@code syscall} is an assembler stub that moves integer registers and never
 * reads a {@code va_list}.
 */
final class LibCSyscall {
    /** {@code SYS_futex} on x86_64. */
    static final long SYS_futex_x86_64 = 202;
    /** {@code SYS_futex} on aarch64. */
    static final long SYS_futex_aarch64 = 98;
    /** {@code FUTEX_WAIT}: sleep if the word still holds the expected value. */
    static final int FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}: wake up to {@code val} waiters. Never or-ed with {@code FUTEX_PRIVATE_FLAG} (128): the
     * futex is shared between processes. */
    static final int FUTEX_WAKE = 1;
    /** {@code EAGAIN}: the futex word did not hold the expected value. */
    static final int EAGAIN = 11;
    /** {@code EINTR}: interrupted by a signal. */
    static final int EINTR = 4;
    /** {@code ETIMEDOUT}: the wait timed out. */
    static final int ETIMEDOUT = 110;

    static {
        Native.register(LibCSyscall.class, Platform.C_LIBRARY_NAME);
    }

    private LibCSyscall() {
    }

    /**
     * {@code long syscall(long number, ...)} with futex(2)'s six arguments.
     *
     * @param number  the system call number.
     * @param uaddr   address of the 32-bit futex word.
     * @param futexOp the operation.
     * @param val     expected value (wait) or waiter count (wake).
     * @param timeout address of a {@code struct timespec} (relative), or 0 for none.
     * @param uaddr2  unused, 0.
     * @param val3    unused, 0.
     * @return the system call's result; -1 with {@code errno} set on failure.
     */
    static native long syscall(long number, long uaddr, int futexOp, int val, long timeout, long uaddr2, int val3);

    /**
     * @param errnum an {@code errno} value.
     * @return its text.
     */
    static native String strerror(int errnum);
}
