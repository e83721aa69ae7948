// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.platform.windows;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The advapi32.dll functions the transports call, raw: real export names, Win32 parameter names, and the type rules
 * of {@link Kernel32}. These are what the current-user security descriptor needs: the user's SID from the process
 * token ({@code GetTokenInformation(TokenUser)}, never {@code LookupAccountSidW}, which fails with
 * {@code ERROR_NONE_MAPPED} for an unmapped SID and may wait on a domain controller), and SDDL conversion.
 * <p>
 * Loaded only by {@link JnaWin32} through {@link Win32Libraries}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface Advapi32 extends Library {
    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-openprocesstoken">
     * OpenProcessToken</a>.
     *
     * @param ProcessHandle {@code GetCurrentProcess()}.
     * @param DesiredAccess {@code TOKEN_QUERY}.
     * @param TokenHandle   receives the token; close it with {@code CloseHandle}.
     * @return success.
     */
    boolean OpenProcessToken(Pointer ProcessHandle, int DesiredAccess, PointerByReference TokenHandle);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-gettokeninformation">
     * GetTokenInformation</a>.
     *
     * @param TokenHandle             the token.
     * @param TokenInformationClass   {@code TokenUser} (1).
     * @param TokenInformation        receives a {@link TOKEN_USER} followed by the SID it points to.
     * @param TokenInformationLength  the buffer's size.
     * @param ReturnLength            the size needed or written.
     * @return success; {@code false} with {@code ERROR_INSUFFICIENT_BUFFER} and the size needed.
     */
    boolean GetTokenInformation(Pointer TokenHandle, int TokenInformationClass, Pointer TokenInformation,
        int TokenInformationLength, IntByReference ReturnLength);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/sddl/nf-sddl-convertsidtostringsidw">
     * ConvertSidToStringSidW</a>.
     *
     * @param Sid       the SID.
     * @param StringSid receives a wide string; free it with {@code LocalFree}.
     * @return success.
     */
    boolean ConvertSidToStringSidW(Pointer Sid, PointerByReference StringSid);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/sddl/nf-sddl-convertstringsecuritydescriptortosecuritydescriptorw">
     * ConvertStringSecurityDescriptorToSecurityDescriptorW</a>.
     *
     * @param StringSecurityDescriptor the SDDL.
     * @param StringSDRevision         {@code SDDL_REVISION_1}.
     * @param SecurityDescriptor       receives a self-relative descriptor; free it with {@code LocalFree}.
     * @param SecurityDescriptorSize   receives its size ({@code PULONG}: 4 bytes), or {@code null}.
     * @return success.
     */
    boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(WString StringSecurityDescriptor,
        int StringSDRevision, PointerByReference SecurityDescriptor, IntByReference SecurityDescriptorSize);
}
