// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static dev.ipcbus.platform.windows.Win32Exception.check;

/**
 * The one security descriptor every Windows object of ipcbus is created with (pipes, mailslots, mappings, events): a
 * protected DACL with one entry granting {@code GENERIC_ALL} to the current user and nothing to anyone else.
 * Windows' default descriptors give read access to Everyone (and, for pipes, Anonymous); this one gives no other
 * account any access.
 * <pre>
 *   D:P(A;;GA;;;S-1-5-21-...-1001)
 *   | | | | |    +-- trustee: the current user's SID
 *   | | | | +------- rights: GA = GENERIC_ALL (mapped per object type, e.g. FILE_ALL_ACCESS for a mailslot)
 *   | | | +--------- flags: none (no inheritance)
 *   | | +----------- A = access allowed
 *   | +------------- P = protected: ignore inheritable entries of the parent
 *   +--------------- D = the DACL
 * </pre>
 * <b>SID rule:</b> the user is the process token's: {@code OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY)},
 * {@code GetTokenInformation(TokenUser)}, {@code ConvertSidToStringSidW} (what {@code whoami /user} shows). Never
 * {@code LookupAccountSidW}: it fails with {@code ERROR_NONE_MAPPED} for a SID without an account name and may wait
 * on a domain controller.
 * <p>
 * <b>Lifetime:</b> built once per transport object (an inbox, a segment store) before any create call, so a failure
 * is a {@link Win32Exception} at open time, never an exception from inside a create call; the native descriptor is
 * freed ({@code LocalFree}) by {@link #close()}, after the last create call that uses it.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use; {@link #close()} must follow every use.
 */
public final class CurrentUserSecurity implements AutoCloseable {
    private static final Pattern SID = Pattern.compile("S-1(-[0-9]+){1,15}");
    /** Enough for {@code TOKEN_USER} and the largest SID (68 bytes); a larger need is asked for and met. */
    private static final int TOKEN_USER_GUESS = 128;

    private final Win32 win32;
    private final String sddl;
    private final long descriptor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CurrentUserSecurity(final Win32 win32, final String sddl, final long descriptor) {
        this.win32 = win32;
        this.sddl = sddl;
        this.descriptor = descriptor;
    }

    /**
     * Reads the current user's SID and converts the descriptor.
     *
     * @param win32 the binding.
     * @return the descriptor; close it after the last create call.
     * @throws Win32Exception if the token cannot be read or the descriptor cannot be built.
     */
    public static CurrentUserSecurity create(final Win32 win32) {
        final String sddl = currentUserOnly(currentUserSid(win32));
        final long[] descriptor = new long[1];
        check(win32, win32.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, Win32Constants.SDDL_REVISION_1,
            descriptor, null), "ConvertStringSecurityDescriptorToSecurityDescriptorW", "sddl=" + sddl);
        return new CurrentUserSecurity(win32, sddl, descriptor[0]);
    }

    /**
     * The string SID of the user this process runs as, by the SID rule above.
     *
     * @param win32 the binding.
     * @return e.g. {@code S-1-5-21-...-1001}.
     * @throws Win32Exception if a call fails.
     */
    public static String currentUserSid(final Win32 win32) {
        final long[] token = new long[1];
        check(win32, win32.OpenProcessToken(win32.GetCurrentProcess(), Win32Constants.TOKEN_QUERY, token),
            "OpenProcessToken", "process=current");
        try {
            final int[] needed = {TOKEN_USER_GUESS};
            ByteBuffer info = ByteBuffer.allocateDirect(needed[0]);
            if (!win32.GetTokenInformation(token[0], Win32Constants.TokenUser, info, info.capacity(), needed)) {
                if (win32.GetLastError() != WinError.ERROR_INSUFFICIENT_BUFFER) {
                    throw Win32Exception.of(win32, "GetTokenInformation", win32.GetLastError(), "class=TokenUser");
                }
                info = ByteBuffer.allocateDirect(needed[0]);
                check(win32, win32.GetTokenInformation(token[0], Win32Constants.TokenUser, info, info.capacity(),
                    needed), "GetTokenInformation", "class=TokenUser, length=" + info.capacity());
            }
            final Pointer sid = new TOKEN_USER(Native.getDirectBufferPointer(info)).User.Sid;
            final String[] text = new String[1];
            check(win32, win32.ConvertSidToStringSidW(Pointer.nativeValue(sid), text), "ConvertSidToStringSidW", "");
            // the SID lives in the buffer: keep it reachable until the conversion has read it
            Reference.reachabilityFence(info);
            return text[0];
        } finally {
            win32.CloseHandle(token[0]);
        }
    }

    /**
     * @param userSid a string SID.
     * @return the SDDL of a descriptor that lets only that user use the object.
     * @throws IllegalArgumentException if {@code userSid} is not a string SID.
     */
    public static String currentUserOnly(final String userSid) {
        if (userSid == null || !SID.matcher(userSid).matches()) {
            throw new IllegalArgumentException("not a string SID: sid=" + userSid);
        }
        return "D:P(A;;GA;;;" + userSid + ")";
    }

    /**
     * @return the descriptor in SDDL.
     */
    public String sddl() {
        return sddl;
    }

    /**
     * @return the native self-relative descriptor's address.
     */
    public long descriptor() {
        return descriptor;
    }

    /**
     * @return fresh {@code SECURITY_ATTRIBUTES} pointing at the descriptor, not inheritable; one per create call.
     * @throws IllegalStateException if closed.
     */
    public SECURITY_ATTRIBUTES attributes() {
        if (closed.get()) {
            throw new IllegalStateException("security descriptor freed: sddl=" + sddl);
        }
        final SECURITY_ATTRIBUTES attributes = new SECURITY_ATTRIBUTES();
        attributes.lpSecurityDescriptor = new Pointer(descriptor);
        attributes.bInheritHandle = false;
        return attributes;
    }

    /**
     * Frees the native descriptor ({@code LocalFree}); idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            win32.LocalFree(descriptor);
        }
    }
}
