package dev.ipcbus.transport.pipe.windows;

import java.util.regex.Pattern;

/**
 * Builds the security descriptor of inbox pipes, in SDDL: a protected DACL ({@code P}: no inherited entries) with one
 * entry granting {@code GENERIC_ALL} to the current user's SID and nothing to anyone else. Windows' default descriptor
 * for a named pipe gives read access to Everyone and Anonymous; this one gives no other account any access.
 * Remote clients are refused separately, by {@code PIPE_REJECT_REMOTE_CLIENTS}.
 * <pre>
 *   D:P(A;;GA;;;S-1-5-21-...-1001)
 *   | | | | |    +-- trustee: the current user's SID
 *   | | | | +------- rights: GA = GENERIC_ALL
 *   | | | +--------- flags: none (no inheritance)
 *   | | +----------- A = access allowed
 *   | +------------- P = protected: ignore inheritable entries of the parent
 *   +--------------- D = the DACL
 * </pre>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class PipeSecurity {
    private static final Pattern SID = Pattern.compile("S-1(-[0-9]+){1,15}");

    private PipeSecurity() {
    }

    /**
     * @param userSid the current user's string SID, from {@link Win32PipeApi#currentUserSid()}.
     * @return the SDDL of a descriptor that lets only that user use the pipe.
     * @throws IllegalArgumentException if {@code userSid} is not a string SID.
     */
    public static String currentUserOnly(final String userSid) {
        if (userSid == null || !SID.matcher(userSid).matches()) {
            throw new IllegalArgumentException("not a string SID: sid=" + userSid);
        }
        return "D:P(A;;GA;;;" + userSid + ")";
    }
}
