/* SPDX-License-Identifier: Apache-2.0 */
/*
 * win32shim_advapi32.c: libadvapi32.so, the Linux stand-in for advapi32.dll (see win32shim.c). Linked against
 * libkernel32.so, so its calls go to the same bridge (the same Windows process) and its memory is freed by the same
 * LocalFree.
 *
 * Memory Wine allocates is copied here; pointers into it are relocated: TOKEN_USER's (and TOKEN_OWNER's,
 * TOKEN_PRIMARY_GROUP's, TOKEN_MANDATORY_LABEL's) SID, TOKEN_GROUPS' SIDs, and GetSecurityInfo's owner, group, DACL and
 * SACL, which point into the returned descriptor as on Windows.
 */
#include "win32shim.h"

#include <string.h>

#define TOKEN_USER_CLASS 1
#define TOKEN_GROUPS_CLASS 2
#define TOKEN_OWNER_CLASS 4
#define TOKEN_PRIMARY_GROUP_CLASS 5
#define TOKEN_INTEGRITY_LEVEL_CLASS 25

static uint32_t read32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Moves a pointer that pointed into the bridge's copy (at base) to the same place in ours (at info). */
static void relocate(uint8_t *info, uint32_t length, int64_t base, size_t offset) {
    if (offset + sizeof(uint64_t) > length) return;
    uint64_t pointer;
    memcpy(&pointer, info + offset, sizeof(pointer));
    if (pointer >= (uint64_t) base && pointer < (uint64_t) base + length) {
        pointer = (uint64_t) (uintptr_t) info + (pointer - (uint64_t) base);
        memcpy(info + offset, &pointer, sizeof(pointer));
    }
}

SHIM_EXPORT BOOL OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, HANDLE *TokenHandle) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "OpenProcessToken", 0);
    ipcbus_shim_int(&c, (int64_t) (intptr_t) ProcessHandle);
    ipcbus_shim_int(&c, DesiredAccess);
    if (ipcbus_shim_invoke(&c) && c.value != 0) {
        *TokenHandle = (HANDLE) (intptr_t) c.outs[0];
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL GetTokenInformation(HANDLE TokenHandle, int TokenInformationClass, void *TokenInformation,
    DWORD TokenInformationLength, DWORD *ReturnLength) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetTokenInformation", 0);
    ipcbus_shim_int(&c, (int64_t) (intptr_t) TokenHandle);
    ipcbus_shim_int(&c, TokenInformationClass);
    ipcbus_shim_int(&c, TokenInformation != NULL ? TokenInformationLength : 0);
    if (ipcbus_shim_invoke(&c)) {
        if (ReturnLength != NULL) *ReturnLength = (DWORD) c.outs[0];
        if (c.value != 0 && c.nreplies > 0) {
            uint8_t *info = (uint8_t *) TokenInformation;
            uint32_t length = c.reply_len[0];
            memcpy(info, c.reply_blob[0], length);
            int64_t base = c.outs[1];
            switch (TokenInformationClass) {
                case TOKEN_USER_CLASS:
                case TOKEN_OWNER_CLASS:
                case TOKEN_PRIMARY_GROUP_CLASS:
                case TOKEN_INTEGRITY_LEVEL_CLASS:
                    relocate(info, length, base, 0);
                    break;
                case TOKEN_GROUPS_CLASS: {
                    /* DWORD GroupCount, padding, then SID_AND_ATTRIBUTES { PSID Sid; DWORD Attributes; } [count] */
                    uint32_t count = read32(info);
                    for (uint32_t i = 0; i < count; i++) relocate(info, length, base, 8 + 16 * (size_t) i);
                    break;
                }
                default:
                    break; /* the other classes used here hold no pointers */
            }
        }
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL ConvertSidToStringSidW(PSID Sid, wchar_t **StringSid) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "ConvertSidToStringSidW", 0);
    const uint8_t *sid = (const uint8_t *) Sid;
    ipcbus_shim_blob(&c, sid, sid != NULL ? 8 + 4u * sid[1] : 0);
    BOOL ok = 0;
    if (ipcbus_shim_invoke(&c) && c.value != 0 && c.nreplies > 0) {
        *StringSid = ipcbus_shim_local_text(c.reply_blob[0], c.reply_len[0]);
        ok = *StringSid != NULL;
    }
    SHIM_RETURN(&c, ok);
}

SHIM_EXPORT BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(const wchar_t *StringSecurityDescriptor,
    DWORD StringSDRevision, PSECURITY_DESCRIPTOR *SecurityDescriptor, uint32_t *SecurityDescriptorSize) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "ConvertStringSecurityDescriptorToSecurityDescriptorW", 0);
    ipcbus_shim_int(&c, StringSDRevision);
    ipcbus_shim_wide(&c, StringSecurityDescriptor);
    BOOL ok = 0;
    if (ipcbus_shim_invoke(&c) && c.value != 0 && c.nreplies > 0) {
        void *sd = ipcbus_shim_local_alloc(c.reply_len[0]);
        if (sd != NULL) {
            memcpy(sd, c.reply_blob[0], c.reply_len[0]);
            *SecurityDescriptor = sd;
            if (SecurityDescriptorSize != NULL) *SecurityDescriptorSize = c.reply_len[0];
            ok = 1;
        } else {
            c.last_error = SHIM_ERROR_NOT_ENOUGH_MEMORY;
        }
    }
    SHIM_RETURN(&c, ok);
}

SHIM_EXPORT BOOL ConvertSecurityDescriptorToStringSecurityDescriptorW(PSECURITY_DESCRIPTOR SecurityDescriptor,
    DWORD RequestedStringSDRevision, DWORD SecurityInformation, wchar_t **StringSecurityDescriptor,
    uint32_t *StringSecurityDescriptorLen) {
    uint32_t length = ipcbus_shim_descriptor_length(SecurityDescriptor);
    if (length == 0) {
        ipcbus_shim_set_last_error(SHIM_ERROR_INVALID_SECURITY_DESCR);
        return 0;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "ConvertSecurityDescriptorToStringSecurityDescriptorW", 0);
    ipcbus_shim_int(&c, RequestedStringSDRevision);
    ipcbus_shim_int(&c, SecurityInformation);
    ipcbus_shim_blob(&c, SecurityDescriptor, length);
    BOOL ok = 0;
    if (ipcbus_shim_invoke(&c) && c.value != 0 && c.nreplies > 0) {
        *StringSecurityDescriptor = ipcbus_shim_local_text(c.reply_blob[0], c.reply_len[0]);
        if (StringSecurityDescriptorLen != NULL) *StringSecurityDescriptorLen = c.reply_len[0] / 2 + 1;
        ok = *StringSecurityDescriptor != NULL;
    }
    SHIM_RETURN(&c, ok);
}

SHIM_EXPORT DWORD GetSecurityInfo(HANDLE handle, int ObjectType, DWORD SecurityInfo, PSID *ppsidOwner,
    PSID *ppsidGroup, PACL *ppDacl, PACL *ppSacl, PSECURITY_DESCRIPTOR *ppSecurityDescriptor) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetSecurityInfo", SHIM_ERROR_BAD_ENVIRONMENT);
    ipcbus_shim_int(&c, (int64_t) (intptr_t) handle);
    ipcbus_shim_int(&c, ObjectType);
    ipcbus_shim_int(&c, SecurityInfo);
    DWORD error = ipcbus_shim_invoke(&c) ? (DWORD) c.value : (DWORD) c.last_error;
    if (error == 0 && c.nreplies > 0) {
        uint8_t *sd = (uint8_t *) ipcbus_shim_local_alloc(c.reply_len[0]);
        if (sd == NULL) {
            error = SHIM_ERROR_NOT_ENOUGH_MEMORY;
        } else {
            memcpy(sd, c.reply_blob[0], c.reply_len[0]);
            /* self-relative: OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl at 4, 8, 12, 16 */
            void **targets[4] = { ppsidOwner, ppsidGroup, ppSacl, ppDacl };
            for (int i = 0; i < 4; i++) {
                if (targets[i] != NULL) {
                    uint32_t offset = read32(sd + 4 + 4 * i);
                    *targets[i] = offset != 0 ? sd + offset : NULL;
                }
            }
            if (ppSecurityDescriptor != NULL) {
                *ppSecurityDescriptor = sd;
            }
        }
    }
    c.last_error = error;
    SHIM_RETURN(&c, error);
}
