/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipcbus ABI probe: prints what mingw-w64's Windows headers and import libraries say about every Win32 function,
 * constant and structure that the JNA declarations in platform-windows use, and checks security descriptors with
 * Windows' own functions. The test dev.ipcbus.wine.abi.AbiProbe builds and runs it; AbiComparator holds the JNA
 * declarations to its output.
 *
 * The lists below hold names only. Every type, value, size and offset comes from the headers:
 *  - step 1, x86_64-w64-mingw32-gcc -fsyntax-only -aux-info <file> abiprobe.c: each ABI_FUNCTIONS entry declares a
 *    marker abi_probe__<dll>__<name> of type __typeof__(<name>), so GCC writes the header's prototype, spelled with
 *    the header's parameter types, into the aux-info file;
 *  - step 2, the test turns those prototypes into ABI_RETURN/ABI_PARAM lines in a file named by -DABI_SIGNATURES and
 *    compiles again, linked with kernel32 and advapi32 (so every listed export must exist in its import library).
 *    ABI_TYPE then measures each type: sizeof, pointer or not (__builtin_classify_type), and for a pointer the size
 *    of what it points to (pointer arithmetic steps by it) or "void".
 *
 * Output, one fact per line (fields separated by one space; a C type name, last on its line, may contain spaces):
 *   probe 1
 *   user <the current user's SID, from GetTokenInformation(TokenUser)>
 *   function <dll> <name> <resolved: 1 if GetProcAddress finds it in <dll>.dll at run time>
 *   return <function> <type> <C type>                  type: i<size>, p<size>><pointee size or void>, or void
 *   param <function> <index from 1> <type> <C type>
 *   constant <name> <value as a signed 64-bit integer> <size>
 *   struct <name> <size> <alignment>
 *   field <struct> <field> <offset> <size>
 *   sd <label> <key>=<value>...                          a security descriptor's facts (see check_descriptor)
 *   ace <label> <index> type=<n> flags=<n> mask=0x<hex> sid=<SID>
 *   error <what failed> <GetLastError>
 *
 * Usage under Wine:
 *   abiprobe.exe                       the ABI facts and the user's SID
 *   abiprobe.exe sd <label> <hex>      checks a self-relative security descriptor given as hex bytes
 *   abiprobe.exe sddl <label> <sddl>   converts SDDL to a security descriptor, then the same checks
 * (the last two may repeat, and may follow each other in one run).
 */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every function the binding declares: (library, export name). */
#define ABI_FUNCTIONS(X) \
    X(kernel32, CancelIo) \
    X(kernel32, CancelIoEx) \
    X(kernel32, CloseHandle) \
    X(kernel32, ConnectNamedPipe) \
    X(kernel32, CreateEventW) \
    X(kernel32, CreateFileMappingW) \
    X(kernel32, CreateFileW) \
    X(kernel32, CreateMailslotW) \
    X(kernel32, CreateNamedPipeW) \
    X(kernel32, DisconnectNamedPipe) \
    X(kernel32, FlushFileBuffers) \
    X(kernel32, FlushViewOfFile) \
    X(kernel32, FormatMessageW) \
    X(kernel32, GetCurrentProcess) \
    X(kernel32, GetCurrentProcessId) \
    X(kernel32, GetExitCodeProcess) \
    X(kernel32, GetLastError) \
    X(kernel32, GetMailslotInfo) \
    X(kernel32, GetNamedPipeInfo) \
    X(kernel32, GetOverlappedResult) \
    X(kernel32, LocalFree) \
    X(kernel32, MapViewOfFile) \
    X(kernel32, OpenEventW) \
    X(kernel32, OpenFileMappingW) \
    X(kernel32, OpenProcess) \
    X(kernel32, PeekNamedPipe) \
    X(kernel32, ReadFile) \
    X(kernel32, ResetEvent) \
    X(kernel32, SetEvent) \
    X(kernel32, SetLastError) \
    X(kernel32, SetMailslotInfo) \
    X(kernel32, SetNamedPipeHandleState) \
    X(kernel32, UnmapViewOfFile) \
    X(kernel32, WaitForMultipleObjects) \
    X(kernel32, WaitForSingleObject) \
    X(kernel32, WaitNamedPipeW) \
    X(kernel32, WriteFile) \
    X(advapi32, ConvertSecurityDescriptorToStringSecurityDescriptorW) \
    X(advapi32, ConvertSidToStringSidW) \
    X(advapi32, ConvertStringSecurityDescriptorToSecurityDescriptorW) \
    X(advapi32, ConvertStringSidToSidW) \
    X(advapi32, EqualSid) \
    X(advapi32, GetLengthSid) \
    X(advapi32, GetSecurityDescriptorDacl) \
    X(advapi32, GetSecurityDescriptorLength) \
    X(advapi32, GetSecurityDescriptorOwner) \
    X(advapi32, GetSecurityInfo) \
    X(advapi32, GetTokenInformation) \
    X(advapi32, IsValidSecurityDescriptor) \
    X(advapi32, IsValidSid) \
    X(advapi32, OpenProcessToken)

/* Every constant the binding or its callers use. */
#define ABI_CONSTANTS(X) \
    X(ACCESS_ALLOWED_ACE_TYPE) X(ACL_REVISION) X(CREATE_ALWAYS) X(CREATE_NEW) \
    X(DACL_SECURITY_INFORMATION) X(DUPLICATE_SAME_ACCESS) \
    X(ERROR_ACCESS_DENIED) X(ERROR_ALREADY_EXISTS) X(ERROR_BAD_PATHNAME) X(ERROR_BROKEN_PIPE) \
    X(ERROR_FILE_NOT_FOUND) X(ERROR_HANDLE_EOF) X(ERROR_INSUFFICIENT_BUFFER) X(ERROR_INVALID_FUNCTION) \
    X(ERROR_INVALID_HANDLE) X(ERROR_INVALID_NAME) X(ERROR_INVALID_PARAMETER) X(ERROR_IO_INCOMPLETE) \
    X(ERROR_IO_PENDING) X(ERROR_MORE_DATA) X(ERROR_MR_MID_NOT_FOUND) X(ERROR_NO_DATA) X(ERROR_NO_SYSTEM_RESOURCES) \
    X(ERROR_NONE_MAPPED) X(ERROR_NOT_ENOUGH_MEMORY) X(ERROR_NOT_ENOUGH_QUOTA) X(ERROR_NOT_FOUND) \
    X(ERROR_OPERATION_ABORTED) X(ERROR_OUTOFMEMORY) X(ERROR_PATH_NOT_FOUND) X(ERROR_PIPE_BUSY) \
    X(ERROR_PIPE_CONNECTED) X(ERROR_PIPE_NOT_CONNECTED) X(ERROR_SEM_TIMEOUT) X(ERROR_SHARING_VIOLATION) \
    X(ERROR_SUCCESS) X(ERROR_TIMEOUT) \
    X(EVENT_ALL_ACCESS) X(EVENT_MODIFY_STATE) \
    X(FILE_ALL_ACCESS) X(FILE_ATTRIBUTE_NORMAL) X(FILE_FLAG_FIRST_PIPE_INSTANCE) X(FILE_FLAG_OVERLAPPED) \
    X(FILE_FLAG_WRITE_THROUGH) X(FILE_MAP_ALL_ACCESS) X(FILE_MAP_READ) X(FILE_MAP_WRITE) X(FILE_SHARE_DELETE) \
    X(FILE_SHARE_READ) X(FILE_SHARE_WRITE) \
    X(FORMAT_MESSAGE_ALLOCATE_BUFFER) X(FORMAT_MESSAGE_FROM_SYSTEM) X(FORMAT_MESSAGE_IGNORE_INSERTS) \
    X(FORMAT_MESSAGE_MAX_WIDTH_MASK) \
    X(GENERIC_ALL) X(GENERIC_EXECUTE) X(GENERIC_READ) X(GENERIC_WRITE) X(GROUP_SECURITY_INFORMATION) \
    X(INFINITE) X(INVALID_HANDLE_VALUE) X(MAILSLOT_NO_MESSAGE) X(MAILSLOT_WAIT_FOREVER) X(MAX_PATH) \
    X(NMPWAIT_USE_DEFAULT_WAIT) X(NMPWAIT_WAIT_FOREVER) X(OPEN_ALWAYS) X(OPEN_EXISTING) \
    X(OWNER_SECURITY_INFORMATION) X(PAGE_READONLY) X(PAGE_READWRITE) \
    X(PIPE_ACCEPT_REMOTE_CLIENTS) X(PIPE_ACCESS_DUPLEX) X(PIPE_ACCESS_INBOUND) X(PIPE_ACCESS_OUTBOUND) \
    X(PIPE_CLIENT_END) X(PIPE_NOWAIT) X(PIPE_READMODE_BYTE) X(PIPE_READMODE_MESSAGE) X(PIPE_REJECT_REMOTE_CLIENTS) \
    X(PIPE_SERVER_END) X(PIPE_TYPE_BYTE) X(PIPE_TYPE_MESSAGE) X(PIPE_UNLIMITED_INSTANCES) X(PIPE_WAIT) \
    X(PROCESS_QUERY_INFORMATION) X(PROCESS_QUERY_LIMITED_INFORMATION) \
    X(PROTECTED_DACL_SECURITY_INFORMATION) X(READ_CONTROL) X(SACL_SECURITY_INFORMATION) \
    X(SDDL_REVISION_1) X(SE_DACL_PRESENT) X(SE_DACL_PROTECTED) X(SE_KERNEL_OBJECT) X(SE_OWNER_DEFAULTED) \
    X(SE_SELF_RELATIVE) X(SECURITY_ANONYMOUS) X(SECURITY_DESCRIPTOR_REVISION) X(SECURITY_IDENTIFICATION) \
    X(SECURITY_IMPERSONATION) X(SECURITY_SQOS_PRESENT) X(SID_MAX_SUB_AUTHORITIES) X(SID_REVISION) \
    X(STILL_ACTIVE) X(SYNCHRONIZE) X(TOKEN_QUERY) X(TokenUser) \
    X(WAIT_ABANDONED) X(WAIT_FAILED) X(WAIT_IO_COMPLETION) X(WAIT_OBJECT_0) X(WAIT_TIMEOUT)

/* Every structure, with the fields a JNA Structure may declare. */
#define ABI_STRUCTS(S, F) \
    S(OVERLAPPED) F(OVERLAPPED, Internal) F(OVERLAPPED, InternalHigh) F(OVERLAPPED, Offset) \
        F(OVERLAPPED, OffsetHigh) F(OVERLAPPED, Pointer) F(OVERLAPPED, hEvent) \
    S(SECURITY_ATTRIBUTES) F(SECURITY_ATTRIBUTES, nLength) F(SECURITY_ATTRIBUTES, lpSecurityDescriptor) \
        F(SECURITY_ATTRIBUTES, bInheritHandle) \
    S(SID_AND_ATTRIBUTES) F(SID_AND_ATTRIBUTES, Sid) F(SID_AND_ATTRIBUTES, Attributes) \
    S(TOKEN_USER) F(TOKEN_USER, User) \
    S(SID_IDENTIFIER_AUTHORITY) F(SID_IDENTIFIER_AUTHORITY, Value) \
    S(SID) F(SID, Revision) F(SID, SubAuthorityCount) F(SID, IdentifierAuthority) F(SID, SubAuthority) \
    S(ACL) F(ACL, AclRevision) F(ACL, Sbz1) F(ACL, AclSize) F(ACL, AceCount) F(ACL, Sbz2) \
    S(ACE_HEADER) F(ACE_HEADER, AceType) F(ACE_HEADER, AceFlags) F(ACE_HEADER, AceSize) \
    S(ACCESS_ALLOWED_ACE) F(ACCESS_ALLOWED_ACE, Header) F(ACCESS_ALLOWED_ACE, Mask) F(ACCESS_ALLOWED_ACE, SidStart) \
    S(SECURITY_DESCRIPTOR_RELATIVE) F(SECURITY_DESCRIPTOR_RELATIVE, Revision) F(SECURITY_DESCRIPTOR_RELATIVE, Sbz1) \
        F(SECURITY_DESCRIPTOR_RELATIVE, Control) F(SECURITY_DESCRIPTOR_RELATIVE, Owner) \
        F(SECURITY_DESCRIPTOR_RELATIVE, Group) F(SECURITY_DESCRIPTOR_RELATIVE, Sacl) \
        F(SECURITY_DESCRIPTOR_RELATIVE, Dacl)

/* Step 1: the markers whose prototypes GCC writes to the aux-info file. */
#define ABI_MARKER(dll, name) extern __typeof__(name) abi_probe__##dll##__##name;
ABI_FUNCTIONS(ABI_MARKER)

/* Pointer arithmetic from a non-null base steps by the pointee's size (by 1 for an integer, which is not a pointer). */
#define ABI_BASE ((uintptr_t) 4096)
#define ABI_TYPE(T) \
    abi_type((int) sizeof(T), __builtin_classify_type((T) 0) == 5, \
        _Generic((T) 0, void *: 1, const void *: 1, volatile void *: 1, const volatile void *: 1, default: 0), \
        (long long) ((uintptr_t) ((T) ABI_BASE + 1) - ABI_BASE))
#define ABI_RETURN(function, T) abi_return(#function, ABI_TYPE(T), #T);
#define ABI_RETURN_VOID(function) abi_return(#function, "void", "void");
#define ABI_PARAM(function, index, T) abi_param(#function, index, ABI_TYPE(T), #T);

static char abi_types[64][32];
static int abi_next_type;

static const char *abi_type(int size, int pointer, int void_pointee, long long step) {
    char *out = abi_types[abi_next_type++ % 64];
    if (!pointer) {
        snprintf(out, sizeof abi_types[0], "i%d", size);
    } else if (void_pointee) {
        snprintf(out, sizeof abi_types[0], "p%d>void", size);
    } else {
        snprintf(out, sizeof abi_types[0], "p%d>%lld", size, step);
    }
    return out;
}

static void abi_return(const char *function, const char *type, const char *c_type) {
    printf("return %s %s %s\n", function, type, c_type);
}

static void abi_param(const char *function, int index, const char *type, const char *c_type) {
    printf("param %s %d %s %s\n", function, index, type, c_type);
}

static void print_signatures(void) {
#ifdef ABI_SIGNATURES
#include ABI_SIGNATURES
#endif
}

static void print_functions(void) {
#define ABI_FUNCTION(dll, name) \
    printf("function %s %s %d\n", #dll, #name, \
        GetProcAddress(GetModuleHandleW(L ## #dll L".dll"), #name) != NULL && (void *) &name != NULL);
    ABI_FUNCTIONS(ABI_FUNCTION)
#undef ABI_FUNCTION
}

static void print_constants(void) {
#define ABI_CONSTANT(name) printf("constant %s %lld %d\n", #name, (long long) (intptr_t) (name), (int) sizeof(name));
    ABI_CONSTANTS(ABI_CONSTANT)
#undef ABI_CONSTANT
}

static void print_structs(void) {
#define ABI_STRUCT(type) printf("struct %s %d %d\n", #type, (int) sizeof(type), (int) _Alignof(type));
#define ABI_FIELD(type, field) \
    printf("field %s %s %d %d\n", #type, #field, (int) offsetof(type, field), (int) sizeof(((type *) 0)->field));
    ABI_STRUCTS(ABI_STRUCT, ABI_FIELD)
#undef ABI_STRUCT
#undef ABI_FIELD
}

static void print_error(const char *what) {
    printf("error %s %lu\n", what, (unsigned long) GetLastError());
}

/* A SID as text ("S-1-5-..."), in a static buffer; "none" for NULL. */
static const char *sid_text(PSID sid) {
    static char text[256];
    LPWSTR wide = NULL;
    if (sid == NULL) {
        return "none";
    }
    if (!ConvertSidToStringSidW(sid, &wide)) {
        return "invalid";
    }
    WideCharToMultiByte(CP_UTF8, 0, wide, -1, text, sizeof text, NULL, NULL);
    LocalFree(wide);
    return text;
}

/* The current user's SID, as the binding obtains it: GetTokenInformation(TokenUser). Caller frees with free(). */
static TOKEN_USER *current_user(void) {
    HANDLE token = NULL;
    DWORD length = 0;
    TOKEN_USER *user = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        print_error("OpenProcessToken");
        return NULL;
    }
    GetTokenInformation(token, TokenUser, NULL, 0, &length);
    user = length == 0 ? NULL : malloc(length);
    if (user == NULL || !GetTokenInformation(token, TokenUser, user, length, &length)) {
        print_error("GetTokenInformation");
        free(user);
        user = NULL;
    }
    CloseHandle(token);
    return user;
}

/* The descriptor's SDDL (owner, group, DACL, SACL), or NULL; free with LocalFree. */
static LPWSTR to_sddl(PSECURITY_DESCRIPTOR sd) {
    LPWSTR sddl = NULL;
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION
        | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION, &sddl, NULL)) {
        return NULL;
    }
    return sddl;
}

/* Whether a SID of at most `room` bytes is whole. */
static int sid_fits(const BYTE *sid, size_t room) {
    return room >= 8 && room >= 8 + 4 * (size_t) sid[1];
}

/*
 * Why the bytes are not a well-formed self-relative descriptor, or NULL. Checked before any Windows function reads
 * them: Wine's IsValidSecurityDescriptor looks at the revision only, and GetSecurityDescriptorLength then follows
 * whatever offsets the bytes hold.
 */
static const char *layout_problem(const BYTE *sd, DWORD length) {
    const SECURITY_DESCRIPTOR_RELATIVE *header = (const SECURITY_DESCRIPTOR_RELATIVE *) sd;
    DWORD sids[2];
    if (length < sizeof *header) {
        return "short";
    }
    if ((header->Control & SE_SELF_RELATIVE) == 0) {
        return "not-self-relative";
    }
    sids[0] = header->Owner;
    sids[1] = header->Group;
    for (int i = 0; i < 2; i++) {
        if (sids[i] != 0
            && (sids[i] < sizeof *header || sids[i] >= length || !sid_fits(sd + sids[i], length - sids[i]))) {
            return i == 0 ? "owner-out-of-bounds" : "group-out-of-bounds";
        }
    }
    if (header->Sacl != 0) {
        return "unexpected-sacl";
    }
    if ((header->Control & SE_DACL_PRESENT) != 0 && header->Dacl != 0) {
        const ACL *acl = (const ACL *) (sd + header->Dacl);
        size_t at = sizeof *acl;
        if (header->Dacl < sizeof *header || header->Dacl > length - sizeof *acl || acl->AclSize > length - header->Dacl
            || acl->AclSize < sizeof *acl) {
            return "dacl-out-of-bounds";
        }
        for (int i = 0; i < acl->AceCount; i++) {
            const ACE_HEADER *ace = (const ACE_HEADER *) ((const BYTE *) acl + at);
            if (at + sizeof *ace > acl->AclSize || ace->AceSize < sizeof *ace || at + ace->AceSize > acl->AclSize) {
                return "ace-out-of-bounds";
            }
            if ((ace->AceType == ACCESS_ALLOWED_ACE_TYPE || ace->AceType == ACCESS_DENIED_ACE_TYPE)
                && (ace->AceSize < offsetof(ACCESS_ALLOWED_ACE, SidStart)
                    || !sid_fits((const BYTE *) ace + offsetof(ACCESS_ALLOWED_ACE, SidStart),
                        ace->AceSize - offsetof(ACCESS_ALLOWED_ACE, SidStart)))) {
                return "ace-sid-out-of-bounds";
            }
            at += ace->AceSize;
        }
    }
    return NULL;
}

/*
 * Prints one "sd" line with the facts of a self-relative descriptor, then one "ace" line per DACL entry:
 * layout (layout_problem, or ok), valid (IsValidSecurityDescriptor, and IsValidSid/IsValidAcl on what it holds),
 * length (GetSecurityDescriptorLength) and given (the bytes received), control, owner and group SIDs, dacl
 * (present/absent/null), aces, sddl, and roundtrip: "bytes" when SDDL -> descriptor gives the same bytes, "sddl" when
 * only the SDDL of that descriptor is the same, "differs" otherwise.
 */
static void check_descriptor(const char *label, PSECURITY_DESCRIPTOR sd, DWORD given) {
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    PSID owner = NULL;
    PSID group = NULL;
    BOOL defaulted = FALSE;
    BOOL present = FALSE;
    PACL dacl = NULL;
    LPWSTR sddl = NULL;
    PSECURITY_DESCRIPTOR back = NULL;
    ULONG back_length = 0;
    const char *roundtrip = "failed";
    char sddl_text[1024] = "none";
    char owner_text[256];
    const char *problem = layout_problem(sd, given);
    int valid;
    if (problem != NULL) {
        printf("sd %s layout=%s valid=0 given=%lu\n", label, problem, (unsigned long) given);
        return;
    }
    valid = IsValidSecurityDescriptor(sd) ? 1 : 0;
    GetSecurityDescriptorControl(sd, &control, &revision);
    GetSecurityDescriptorOwner(sd, &owner, &defaulted);
    GetSecurityDescriptorGroup(sd, &group, &defaulted);
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    valid = valid && (owner == NULL || IsValidSid(owner)) && (group == NULL || IsValidSid(group))
        && (!present || dacl == NULL || IsValidAcl(dacl));
    sddl = to_sddl(sd);
    if (sddl != NULL) {
        WideCharToMultiByte(CP_UTF8, 0, sddl, -1, sddl_text, sizeof sddl_text, NULL, NULL);
        if (ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &back, &back_length)) {
            LPWSTR again = to_sddl(back);
            if (back_length == given && memcmp(back, sd, back_length) == 0) {
                roundtrip = "bytes";
            } else if (again != NULL && wcscmp(again, sddl) == 0) {
                roundtrip = "sddl";
            } else {
                roundtrip = "differs";
            }
            LocalFree(again);
            LocalFree(back);
        }
        LocalFree(sddl);
    }
    snprintf(owner_text, sizeof owner_text, "%s", sid_text(owner));
    printf("sd %s layout=ok valid=%d length=%lu given=%lu revision=%lu control=0x%04x owner=%s group=%s dacl=%s "
        "aces=%d roundtrip=%s sddl=%s\n", label, valid, (unsigned long) GetSecurityDescriptorLength(sd),
        (unsigned long) given, (unsigned long) revision, (unsigned) control, owner_text, sid_text(group),
        !present ? "absent" : dacl == NULL ? "null" : "present", present && dacl != NULL ? dacl->AceCount : 0,
        roundtrip, sddl_text);
    for (int i = 0; present && dacl != NULL && i < dacl->AceCount; i++) {
        ACE_HEADER *ace = NULL;
        if (!GetAce(dacl, i, (LPVOID *) &ace)) {
            print_error("GetAce");
            continue;
        }
        if (ace->AceType == ACCESS_ALLOWED_ACE_TYPE || ace->AceType == ACCESS_DENIED_ACE_TYPE) {
            ACCESS_ALLOWED_ACE *allowed = (ACCESS_ALLOWED_ACE *) ace;
            printf("ace %s %d type=%d flags=%d mask=0x%08lx sid=%s\n", label, i, ace->AceType, ace->AceFlags,
                (unsigned long) allowed->Mask, sid_text(&allowed->SidStart));
        } else {
            printf("ace %s %d type=%d flags=%d mask=none sid=none\n", label, i, ace->AceType, ace->AceFlags);
        }
    }
}

static int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
        : -1;
}

static void check_hex(const char *label, const char *hex) {
    size_t length = strlen(hex) / 2;
    BYTE *bytes = malloc(length + 1);
    for (size_t i = 0; i < length; i++) {
        int high = hex_digit(hex[2 * i]);
        int low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0 || strlen(hex) % 2 != 0) {
            printf("sd %s layout=malformed-hex valid=0\n", label);
            free(bytes);
            return;
        }
        bytes[i] = (BYTE) (high << 4 | low);
    }
    check_descriptor(label, bytes, (DWORD) length);
    free(bytes);
}

static void check_sddl(const char *label, const char *text) {
    WCHAR wide[1024];
    PSECURITY_DESCRIPTOR sd = NULL;
    ULONG length = 0;
    MultiByteToWideChar(CP_UTF8, 0, text, -1, wide, sizeof wide / sizeof wide[0]);
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(wide, SDDL_REVISION_1, &sd, &length)) {
        printf("sd %s layout=sddl-rejected valid=0 error=%lu\n", label, (unsigned long) GetLastError());
        return;
    }
    check_descriptor(label, sd, length);
    LocalFree(sd);
}

int main(int argc, char **argv) {
    TOKEN_USER *user = current_user();
    printf("probe 1\n");
    printf("user %s\n", user == NULL ? "unknown" : sid_text(user->User.Sid));
    free(user);
    if (argc == 1) {
        print_functions();
        print_signatures();
        print_constants();
        print_structs();
    }
    if ((argc - 1) % 3 != 0) {
        fprintf(stderr, "usage: abiprobe.exe [sd <label> <hex> | sddl <label> <sddl>]...\n");
        return 2;
    }
    for (int i = 1; i + 2 < argc; i += 3) {
        if (strcmp(argv[i], "sd") == 0) {
            check_hex(argv[i + 1], argv[i + 2]);
        } else if (strcmp(argv[i], "sddl") == 0) {
            check_sddl(argv[i + 1], argv[i + 2]);
        } else {
            fprintf(stderr, "usage: abiprobe.exe [sd <label> <hex> | sddl <label> <sddl>]...\n");
            return 2;
        }
    }
    fflush(stdout);
    return 0;
}
