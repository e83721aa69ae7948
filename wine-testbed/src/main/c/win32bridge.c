/* SPDX-License-Identifier: Apache-2.0 */
/*
 * win32bridge: executes Win32 calls on request, for the ipcbus Wine test bed (dev.ipcbus.wine.Win32Bridge).
 *
 * Runs under Wine (built with x86_64-w64-mingw32-gcc at test time). It listens on 127.0.0.1 (port chosen by the
 * system, printed as "PORT <n>" on stdout) and serves each TCP connection on a thread of its own, so a call that
 * blocks (ReadFile, ConnectNamedPipe, WaitForSingleObject) blocks only its own connection, exactly as a blocking
 * call blocks only its own thread on Windows. Handles are this process's: every connection of one bridge is one
 * Windows process, and one JVM's Win32 calls all go to its bridge.
 *
 * Every connection starts with the 32-character token given as argv[1], then one byte: 'L' for the lifeline (the
 * process exits when it closes: the JVM died or closed the bridge, so Wine closes the process's handles as Windows
 * does for a dead process) or 'C' for calls.
 *
 * Call protocol, little-endian:
 *   request: u32 rest length, u16 name length, name (ASCII), u16 n, n x i64, u16 m, m x (u32 length, bytes)
 *   reply:   u32 rest length, u32 status (0 done, 1 unknown call or bad arguments), i64 return value,
 *            u32 GetLastError() read right after the call, u16 n, n x i64, u16 m, m x (u32 length, bytes)
 * Strings travel as UTF-16LE without terminator. SetLastError(0) runs before each call, so the error reported is
 * the call's own.
 *
 * Two clients speak it: the Java Win32Bridge (test aids with test-bed conveniences: SDDL text for security, trimmed
 * message text) and the Linux shim libkernel32.so/libadvapi32.so (win32shim.c), which forwards the production JNA
 * binding's calls. The shim's forms are marked "shim:" below: a security descriptor travels as its self-relative bytes
 * (security format 1), every pointer argument's data travels as a blob, and memory a call allocates comes back as
 * bytes (with the address it had here where the caller must relocate pointers into it).
 */
#define WIN32_LEAN_AND_MEAN
#define _WIN32_WINNT 0x0600
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INTS 16
#define MAX_BLOBS 8
#define MAX_REQUEST (64 * 1024 * 1024)
#define TOKEN_LENGTH 32

static char g_token[TOKEN_LENGTH + 1];
static volatile LONG g_lifeline_seen;

typedef struct {
    char name[64];
    int nints;
    int64_t ints[MAX_INTS];
    int nblobs;
    uint32_t blob_len[MAX_BLOBS];
    uint8_t *blob[MAX_BLOBS];
} request_t;

typedef struct {
    uint32_t status;
    int64_t value;
    uint32_t last_error;
    int nints;
    int64_t ints[MAX_INTS];
    int nblobs;
    uint32_t blob_len[MAX_BLOBS];
    uint8_t *blob[MAX_BLOBS];
    int blob_owned[MAX_BLOBS];
} reply_t;

/* An OVERLAPPED that outlives the call issuing the I/O, with the buffer the I/O uses. */
typedef struct {
    OVERLAPPED ov;
    uint8_t *buffer;
    DWORD capacity;
    int is_read;
} bridge_overlapped_t;

static int recv_all(SOCKET s, void *p, int n) {
    char *c = (char *) p;
    while (n > 0) {
        int r = recv(s, c, n, 0);
        if (r <= 0) {
            return 0;
        }
        c += r;
        n -= r;
    }
    return 1;
}

static int send_all(SOCKET s, const void *p, int n) {
    const char *c = (const char *) p;
    while (n > 0) {
        int r = send(s, c, n, 0);
        if (r <= 0) {
            return 0;
        }
        c += r;
        n -= r;
    }
    return 1;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t) (p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24); }
static int64_t rd64(const uint8_t *p) { return (int64_t) ((uint64_t) rd32(p) | ((uint64_t) rd32(p + 4) << 32)); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t) v; p[1] = (uint8_t) (v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t) (v >> (8 * i)); }
static void wr64(uint8_t *p, int64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t) ((uint64_t) v >> (8 * i)); }

/* Parses a request body; 0 if malformed. Blobs point into body. */
static int parse(uint8_t *body, uint32_t length, request_t *rq) {
    uint32_t at = 0;
    if (length < 2) return 0;
    uint16_t name_length = rd16(body);
    at = 2;
    if (name_length >= sizeof(rq->name) || at + name_length + 2 > length) return 0;
    memcpy(rq->name, body + at, name_length);
    rq->name[name_length] = 0;
    at += name_length;
    rq->nints = rd16(body + at);
    at += 2;
    if (rq->nints > MAX_INTS || at + 8u * rq->nints + 2 > length) return 0;
    for (int i = 0; i < rq->nints; i++, at += 8) rq->ints[i] = rd64(body + at);
    rq->nblobs = rd16(body + at);
    at += 2;
    if (rq->nblobs > MAX_BLOBS) return 0;
    for (int i = 0; i < rq->nblobs; i++) {
        if (at + 4 > length) return 0;
        rq->blob_len[i] = rd32(body + at);
        at += 4;
        if (rq->blob_len[i] > length - at) return 0;
        rq->blob[i] = body + at;
        at += rq->blob_len[i];
    }
    return at == length;
}

/* A NUL-terminated copy of a UTF-16LE blob; NULL for a missing or empty blob. Free with free(). */
static WCHAR *wstr(const request_t *rq, int i) {
    if (i >= rq->nblobs || rq->blob_len[i] == 0) return NULL;
    uint32_t n = rq->blob_len[i] / 2;
    WCHAR *s = (WCHAR *) malloc((n + 1) * sizeof(WCHAR));
    memcpy(s, rq->blob[i], n * sizeof(WCHAR));
    s[n] = 0;
    return s;
}

static void put_blob(reply_t *rp, const void *data, uint32_t length) {
    uint8_t *copy = (uint8_t *) malloc(length ? length : 1);
    if (length) memcpy(copy, data, length);
    rp->blob[rp->nblobs] = copy;
    rp->blob_len[rp->nblobs] = length;
    rp->blob_owned[rp->nblobs] = 1;
    rp->nblobs++;
}

static void put_wstr(reply_t *rp, const WCHAR *s) {
    put_blob(rp, s, (uint32_t) (wcslen(s) * sizeof(WCHAR)));
}

/* SECURITY_ATTRIBUTES from SDDL; returns NULL (default security) for NULL sddl. Sets *bad on a conversion error. */
static SECURITY_ATTRIBUTES *sa_from_sddl(const WCHAR *sddl, SECURITY_ATTRIBUTES *sa, int *bad) {
    PSECURITY_DESCRIPTOR sd = NULL;
    *bad = 0;
    if (sddl == NULL) return NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
        *bad = 1;
        return NULL;
    }
    sa->nLength = sizeof(*sa);
    sa->lpSecurityDescriptor = sd;
    sa->bInheritHandle = FALSE;
    return sa;
}

static void free_sa(SECURITY_ATTRIBUTES *sa) {
    if (sa != NULL && sa->lpSecurityDescriptor != NULL) LocalFree(sa->lpSecurityDescriptor);
}

/* SECURITY_ATTRIBUTES from blob i: SDDL text (format 0, the Java bridge's form) or a self-relative descriptor's bytes
   (format 1, the shim's form); NULL for an empty blob. The descriptor is copied to LocalAlloc'd (aligned) memory, so
   free_sa frees either. Sets *bad if SDDL does not convert. */
static SECURITY_ATTRIBUTES *sa_from_blob(const request_t *rq, int i, int64_t format, SECURITY_ATTRIBUTES *sa,
    int *bad) {
    *bad = 0;
    if (format == 0) {
        WCHAR *sddl = wstr(rq, i);
        SECURITY_ATTRIBUTES *result = sa_from_sddl(sddl, sa, bad);
        free(sddl);
        return result;
    }
    if (i >= rq->nblobs || rq->blob_len[i] == 0) return NULL;
    void *sd = LocalAlloc(LMEM_FIXED, rq->blob_len[i]);
    memcpy(sd, rq->blob[i], rq->blob_len[i]);
    sa->nLength = sizeof(*sa);
    sa->lpSecurityDescriptor = sd;
    sa->bInheritHandle = FALSE;
    return sa;
}

/* The self-relative descriptor sd as a reply blob (its length from GetSecurityDescriptorLength). */
static void put_descriptor(reply_t *rp, PSECURITY_DESCRIPTOR sd) {
    put_blob(rp, sd, GetSecurityDescriptorLength(sd));
}

/* An optional int: ints[i] if given, else the default. */
static int64_t opt(const request_t *rq, int i, int64_t otherwise) {
    return i < rq->nints ? rq->ints[i] : otherwise;
}

#define H(i) ((HANDLE) (intptr_t) rq->ints[i])
#define I(i) (rq->ints[i])
#define NEED(ni, nb) do { if (rq->nints < (ni) || rq->nblobs < (nb)) { rp->status = 1; return; } } while (0)
#define DONE(expr) do { rp->value = (int64_t) (expr); rp->last_error = GetLastError(); } while (0)

static void dispatch(const request_t *rq, reply_t *rp) {
    const char *f = rq->name;
    SetLastError(0);
    if (!strcmp(f, "GetCurrentProcessId")) {
        DONE(GetCurrentProcessId());
    } else if (!strcmp(f, "CloseHandle")) {
        NEED(1, 0);
        DONE(CloseHandle(H(0)));
    } else if (!strcmp(f, "WaitForSingleObject")) {
        NEED(2, 0);
        DONE(WaitForSingleObject(H(0), (DWORD) I(1)));
    } else if (!strcmp(f, "Sleep")) {
        NEED(1, 0);
        Sleep((DWORD) I(0));
        DONE(0);
    } else if (!strcmp(f, "ExitProcess")) {
        NEED(1, 0);
        ExitProcess((UINT) I(0));
    } else if (!strcmp(f, "CreateEventW")) {
        /* ints: bManualReset, bInitialState, [security format: 0 SDDL, 1 descriptor bytes (shim)];
           blobs: name (empty: unnamed), security (empty: default security) */
        NEED(2, 2);
        WCHAR *name = wstr(rq, 0);
        SECURITY_ATTRIBUTES sa_storage;
        int bad;
        SECURITY_ATTRIBUTES *sa = sa_from_blob(rq, 1, opt(rq, 2, 0), &sa_storage, &bad);
        if (bad) {
            DONE(0);
        } else {
            HANDLE h = CreateEventW(sa, (BOOL) I(0), (BOOL) I(1), name);
            DONE(h);
        }
        free_sa(sa);
        free(name);
    } else if (!strcmp(f, "OpenEventW")) {
        NEED(1, 1);
        WCHAR *name = wstr(rq, 0);
        DONE(OpenEventW((DWORD) I(0), FALSE, name));
        free(name);
    } else if (!strcmp(f, "SetEvent")) {
        NEED(1, 0);
        DONE(SetEvent(H(0)));
    } else if (!strcmp(f, "ResetEvent")) {
        NEED(1, 0);
        DONE(ResetEvent(H(0)));
    } else if (!strcmp(f, "CurrentUserSid")) {
        HANDLE token = NULL;
        uint8_t info[512];
        DWORD got = 0;
        LPWSTR text = NULL;
        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)
            && GetTokenInformation(token, TokenUser, info, sizeof(info), &got)
            && ConvertSidToStringSidW(((TOKEN_USER *) info)->User.Sid, &text)) {
            DONE(1);
            put_wstr(rp, text);
            LocalFree(text);
        } else {
            DONE(0);
        }
        if (token != NULL) CloseHandle(token);
    } else if (!strcmp(f, "FormatMessageW")) {
        /* ints: dwMessageId, [dwLanguageId, raw (shim: 1 keeps the text as FormatMessageW returns it)] */
        NEED(1, 0);
        WCHAR text[1024];
        DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD) I(0),
            (DWORD) opt(rq, 1, 0), text, 1024, NULL);
        DONE(n);
        if (!opt(rq, 2, 0)) {
            while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ')) n--;
        }
        text[n] = 0;
        put_wstr(rp, text);
    } else if (!strcmp(f, "GetSecurityInfoDacl")) {
        /* The handle's DACL as SDDL: what the object was really given. */
        NEED(1, 0);
        PSECURITY_DESCRIPTOR sd = NULL;
        LPWSTR text = NULL;
        DWORD error = GetSecurityInfo(H(0), SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL,
            &sd);
        if (error == ERROR_SUCCESS && ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION, &text, NULL)) {
            DONE(1);
            put_wstr(rp, text);
            LocalFree(text);
        } else {
            rp->value = 0;
            rp->last_error = error != ERROR_SUCCESS ? error : GetLastError();
        }
        if (sd != NULL) LocalFree(sd);
    } else if (!strcmp(f, "CreateNamedPipeW")) {
        /* ints: dwOpenMode, dwPipeMode, nMaxInstances, nOutBufferSize, nInBufferSize, nDefaultTimeOut,
           [security format: 0 SDDL, 1 descriptor bytes (shim)]; blobs: lpName, security (empty: default) */
        NEED(6, 2);
        WCHAR *name = wstr(rq, 0);
        SECURITY_ATTRIBUTES sa_storage;
        int bad;
        SECURITY_ATTRIBUTES *sa = sa_from_blob(rq, 1, opt(rq, 6, 0), &sa_storage, &bad);
        if (bad) {
            rp->value = (int64_t) (intptr_t) INVALID_HANDLE_VALUE;
            rp->last_error = GetLastError();
        } else {
            DONE(CreateNamedPipeW(name, (DWORD) I(0), (DWORD) I(1), (DWORD) I(2), (DWORD) I(3), (DWORD) I(4),
                (DWORD) I(5), sa));
        }
        free_sa(sa);
        free(name);
    } else if (!strcmp(f, "ConnectNamedPipe")) {
        NEED(1, 0);
        DONE(ConnectNamedPipe(H(0), NULL));
    } else if (!strcmp(f, "DisconnectNamedPipe")) {
        NEED(1, 0);
        DONE(DisconnectNamedPipe(H(0)));
    } else if (!strcmp(f, "CreateFileW")) {
        /* ints: dwDesiredAccess, dwShareMode, dwCreationDisposition, dwFlagsAndAttributes;
           blobs: lpFileName, [shim: descriptor bytes (empty: none)] */
        NEED(4, 1);
        WCHAR *name = wstr(rq, 0);
        SECURITY_ATTRIBUTES sa_storage;
        int bad;
        SECURITY_ATTRIBUTES *sa = sa_from_blob(rq, 1, 1, &sa_storage, &bad);
        DONE(CreateFileW(name, (DWORD) I(0), (DWORD) I(1), sa, (DWORD) I(2), (DWORD) I(3), NULL));
        free_sa(sa);
        free(name);
    } else if (!strcmp(f, "WaitNamedPipeW")) {
        NEED(1, 1);
        WCHAR *name = wstr(rq, 0);
        DONE(WaitNamedPipeW(name, (DWORD) I(0)));
        free(name);
    } else if (!strcmp(f, "SetNamedPipeHandleState")) {
        /* ints: hNamedPipe, mode, [shim: which pointers are given (1 lpMode, 2 lpMaxCollectionCount,
           4 lpCollectDataTimeout), collection count, timeout] */
        NEED(2, 0);
        DWORD mode = (DWORD) I(1), count = (DWORD) opt(rq, 3, 0), timeout = (DWORD) opt(rq, 4, 0);
        int64_t given = opt(rq, 2, 1);
        DONE(SetNamedPipeHandleState(H(0), (given & 1) ? &mode : NULL, (given & 2) ? &count : NULL,
            (given & 4) ? &timeout : NULL));
    } else if (!strcmp(f, "ReadFile")) {
        /* ints: hFile, nNumberOfBytesToRead; reply ints: bytes read; blobs: the bytes */
        NEED(2, 0);
        DWORD capacity = (DWORD) I(1), got = 0;
        uint8_t *buffer = (uint8_t *) malloc(capacity ? capacity : 1);
        BOOL ok = ReadFile(H(0), buffer, capacity, &got, NULL);
        DONE(ok);
        rp->ints[rp->nints++] = got;
        put_blob(rp, buffer, got);
        free(buffer);
    } else if (!strcmp(f, "WriteFile")) {
        /* synchronous; ints: hFile; blobs: the bytes; reply ints: bytes written */
        NEED(1, 1);
        DWORD put = 0;
        DONE(WriteFile(H(0), rq->blob[0], rq->blob_len[0], &put, NULL));
        rp->ints[rp->nints++] = put;
    } else if (!strcmp(f, "AllocateOverlapped")) {
        /* ints: hEvent; returns the OVERLAPPED's address, valid until FreeOverlapped */
        NEED(1, 0);
        bridge_overlapped_t *o = (bridge_overlapped_t *) calloc(1, sizeof(*o));
        o->ov.hEvent = H(0);
        DONE(o);
    } else if (!strcmp(f, "FreeOverlapped")) {
        NEED(1, 0);
        bridge_overlapped_t *o = (bridge_overlapped_t *) (intptr_t) I(0);
        if (o != NULL) {
            free(o->buffer);
            free(o);
        }
        DONE(1);
    } else if (!strcmp(f, "WriteFileOverlapped")) {
        /* ints: hFile, lpOverlapped; blobs: the bytes, copied into the OVERLAPPED's own buffer, which stays
           untouched until the I/O completes, as overlapped I/O requires */
        NEED(2, 1);
        bridge_overlapped_t *o = (bridge_overlapped_t *) (intptr_t) I(1);
        if (o->capacity < rq->blob_len[0]) {
            free(o->buffer);
            o->buffer = (uint8_t *) malloc(rq->blob_len[0]);
            o->capacity = rq->blob_len[0];
        }
        memcpy(o->buffer, rq->blob[0], rq->blob_len[0]);
        HANDLE event = o->ov.hEvent;
        memset(&o->ov, 0, sizeof(o->ov));
        o->ov.hEvent = event;
        o->is_read = 0;
        DONE(WriteFile(H(0), o->buffer, rq->blob_len[0], NULL, &o->ov));
        /* reply ints: Internal, InternalHigh as the OVERLAPPED holds them now */
        rp->ints[rp->nints++] = (int64_t) o->ov.Internal;
        rp->ints[rp->nints++] = (int64_t) o->ov.InternalHigh;
    } else if (!strcmp(f, "ReadFileOverlapped")) {
        /* shim: ints: hFile, lpOverlapped, nNumberOfBytesToRead; reads into the OVERLAPPED's own buffer. Reply ints:
           Internal, InternalHigh; blob: the bytes if the read completed at once (GetOverlappedResult returns them
           otherwise) */
        NEED(3, 0);
        bridge_overlapped_t *o = (bridge_overlapped_t *) (intptr_t) I(1);
        DWORD wanted = (DWORD) I(2);
        if (o->capacity < wanted || o->buffer == NULL) {
            free(o->buffer);
            o->buffer = (uint8_t *) malloc(wanted ? wanted : 1);
            o->capacity = wanted;
        }
        HANDLE event = o->ov.hEvent;
        memset(&o->ov, 0, sizeof(o->ov));
        o->ov.hEvent = event;
        o->is_read = 1;
        BOOL ok = ReadFile(H(0), o->buffer, wanted, NULL, &o->ov);
        DONE(ok);
        rp->ints[rp->nints++] = (int64_t) o->ov.Internal;
        rp->ints[rp->nints++] = (int64_t) o->ov.InternalHigh;
        if (ok || rp->last_error == ERROR_MORE_DATA) {
            put_blob(rp, o->buffer, (uint32_t) o->ov.InternalHigh);
        }
    } else if (!strcmp(f, "GetOverlappedResult")) {
        /* ints: hFile, lpOverlapped, bWait; reply ints: bytes transferred */
        NEED(3, 0);
        bridge_overlapped_t *o = (bridge_overlapped_t *) (intptr_t) I(1);
        DWORD transferred = 0;
        BOOL ok = GetOverlappedResult(H(0), &o->ov, &transferred, (BOOL) I(2));
        DONE(ok);
        /* reply ints: bytes transferred, Internal, InternalHigh; blob (a read that completed): the bytes read */
        rp->ints[rp->nints++] = transferred;
        rp->ints[rp->nints++] = (int64_t) o->ov.Internal;
        rp->ints[rp->nints++] = (int64_t) o->ov.InternalHigh;
        if (o->is_read && rp->last_error != ERROR_IO_INCOMPLETE) {
            put_blob(rp, o->buffer, (uint32_t) o->ov.InternalHigh);
        }
    } else if (!strcmp(f, "CancelIoEx")) {
        /* ints: hFile, lpOverlapped (0: all of this process's I/O on the handle) */
        NEED(2, 0);
        bridge_overlapped_t *o = (bridge_overlapped_t *) (intptr_t) I(1);
        DONE(CancelIoEx(H(0), o != NULL ? &o->ov : NULL));
    } else if (!strcmp(f, "PeekNamedPipe")) {
        /* ints: hNamedPipe, [shim: nBufferSize]; reply ints: total bytes available, bytes left in this message,
           bytes read; blob: the bytes peeked */
        NEED(1, 0);
        DWORD total = 0, left = 0, got = 0, size = (DWORD) opt(rq, 1, 0);
        uint8_t *buffer = size > 0 ? (uint8_t *) malloc(size) : NULL;
        DONE(PeekNamedPipe(H(0), buffer, size, &got, &total, &left));
        rp->ints[rp->nints++] = total;
        rp->ints[rp->nints++] = left;
        rp->ints[rp->nints++] = got;
        put_blob(rp, buffer, buffer != NULL ? got : 0);
        free(buffer);
    } else if (!strcmp(f, "CreateMailslotW")) {
        /* ints: nMaxMessageSize, lReadTimeout; blobs: lpName, a self-relative security descriptor (empty: none) */
        NEED(2, 2);
        WCHAR *name = wstr(rq, 0);
        SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
        uint8_t *sd = NULL;
        if (rq->blob_len[1] > 0) {
            /* copied to aligned memory: the descriptor is read as a structure */
            sd = (uint8_t *) malloc(rq->blob_len[1]);
            memcpy(sd, rq->blob[1], rq->blob_len[1]);
            sa.lpSecurityDescriptor = sd;
        }
        DONE(CreateMailslotW(name, (DWORD) I(0), (DWORD) I(1), sd != NULL ? &sa : NULL));
        free(sd);
        free(name);
    } else if (!strcmp(f, "GetMailslotInfo")) {
        /* reply ints: max message size, next size, message count, read timeout */
        NEED(1, 0);
        DWORD max = 0, next = 0, count = 0, timeout = 0;
        DONE(GetMailslotInfo(H(0), &max, &next, &count, &timeout));
        rp->ints[rp->nints++] = (int32_t) max;
        rp->ints[rp->nints++] = (int32_t) next;
        rp->ints[rp->nints++] = (int32_t) count;
        rp->ints[rp->nints++] = (int32_t) timeout;
    } else if (!strcmp(f, "SetMailslotInfo")) {
        NEED(2, 0);
        DONE(SetMailslotInfo(H(0), (DWORD) I(1)));
    } else if (!strcmp(f, "CreateFileMappingW")) {
        /* ints: flProtect, maximum size; blobs: lpName, sddl (empty: default), backing file (empty: pagefile).
           With a backing file, the mapping is that file's (opened or created here and closed after the call; the
           mapping keeps it), so a Linux process mapping the same file shares the bytes. The name semantics are
           Wine's own: an existing name returns that object with ERROR_ALREADY_EXISTS.
           [ints[2], security format: 0 SDDL, 1 descriptor bytes (shim)] */
        NEED(2, 3);
        WCHAR *name = wstr(rq, 0), *path = wstr(rq, 2);
        SECURITY_ATTRIBUTES sa_storage;
        int bad;
        SECURITY_ATTRIBUTES *sa = sa_from_blob(rq, 1, opt(rq, 2, 0), &sa_storage, &bad);
        HANDLE file = INVALID_HANDLE_VALUE;
        if (bad) {
            DONE(0);
        } else {
            if (path != NULL) {
                file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                    NULL);
                if (file == INVALID_HANDLE_VALUE) {
                    rp->status = 0;
                    rp->value = 0;
                    rp->last_error = GetLastError();
                    goto mapping_done;
                }
                SetLastError(0);
            }
            uint64_t size = (uint64_t) I(1);
            HANDLE h = CreateFileMappingW(file, sa, (DWORD) I(0), (DWORD) (size >> 32), (DWORD) size, name);
            DONE(h);
            if (file != INVALID_HANDLE_VALUE) {
                CloseHandle(file);
            }
        }
mapping_done:
        free_sa(sa);
        free(name);
        free(path);
    } else if (!strcmp(f, "OpenFileMappingW")) {
        NEED(1, 1);
        WCHAR *name = wstr(rq, 0);
        DONE(OpenFileMappingW((DWORD) I(0), FALSE, name));
        free(name);
    } else if (!strcmp(f, "MapViewOfFile")) {
        /* ints: hFileMappingObject, dwDesiredAccess, offset, dwNumberOfBytesToMap */
        NEED(4, 0);
        uint64_t offset = (uint64_t) I(2);
        DONE(MapViewOfFile(H(0), (DWORD) I(1), (DWORD) (offset >> 32), (DWORD) offset, (SIZE_T) I(3)));
    } else if (!strcmp(f, "UnmapViewOfFile")) {
        NEED(1, 0);
        DONE(UnmapViewOfFile((LPCVOID) (intptr_t) I(0)));
    } else if (!strcmp(f, "OpenProcessToken")) {
        /* shim: ints: ProcessHandle, DesiredAccess; reply ints: the token handle */
        NEED(2, 0);
        HANDLE token = NULL;
        DONE(OpenProcessToken(H(0), (DWORD) I(1), &token));
        rp->ints[rp->nints++] = (int64_t) (intptr_t) token;
    } else if (!strcmp(f, "GetTokenInformation")) {
        /* shim: ints: TokenHandle, TokenInformationClass, TokenInformationLength; reply ints: ReturnLength, the
           address the information had here (pointers inside it point into it); blob: the information */
        NEED(3, 0);
        DWORD length = (DWORD) I(2), needed = 0;
        uint8_t *info = (uint8_t *) malloc(length ? length : 1);
        BOOL ok = GetTokenInformation(H(0), (TOKEN_INFORMATION_CLASS) I(1), length ? info : NULL, length, &needed);
        DONE(ok);
        rp->ints[rp->nints++] = needed;
        rp->ints[rp->nints++] = (int64_t) (intptr_t) info;
        put_blob(rp, info, ok ? needed : 0);
        free(info);
    } else if (!strcmp(f, "ConvertSidToStringSidW")) {
        /* shim: blobs: the SID's bytes; reply blob: the text */
        NEED(0, 1);
        LPWSTR text = NULL;
        uint8_t *sid = (uint8_t *) malloc(rq->blob_len[0] ? rq->blob_len[0] : 1);
        memcpy(sid, rq->blob[0], rq->blob_len[0]);
        BOOL ok = rq->blob_len[0] >= 8 && IsValidSid(sid) && ConvertSidToStringSidW(sid, &text);
        DONE(ok);
        if (ok) {
            put_wstr(rp, text);
            LocalFree(text);
        }
        free(sid);
    } else if (!strcmp(f, "ConvertStringSecurityDescriptorToSecurityDescriptorW")) {
        /* shim: ints: StringSDRevision; blobs: the SDDL; reply blob: the self-relative descriptor */
        NEED(1, 1);
        WCHAR *sddl = wstr(rq, 0);
        PSECURITY_DESCRIPTOR sd = NULL;
        ULONG size = 0;
        BOOL ok = ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl != NULL ? sddl : L"", (DWORD) I(0), &sd,
            &size);
        DONE(ok);
        if (ok) {
            put_blob(rp, sd, size);
            LocalFree(sd);
        }
        free(sddl);
    } else if (!strcmp(f, "ConvertSecurityDescriptorToStringSecurityDescriptorW")) {
        /* shim: ints: RequestedStringSDRevision, SecurityInformation; blobs: the self-relative descriptor; reply
           blob: the SDDL */
        NEED(2, 1);
        uint8_t *sd = (uint8_t *) malloc(rq->blob_len[0] ? rq->blob_len[0] : 1);
        memcpy(sd, rq->blob[0], rq->blob_len[0]);
        LPWSTR text = NULL;
        BOOL ok = ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, (DWORD) I(0), (SECURITY_INFORMATION) I(1),
            &text, NULL);
        DONE(ok);
        if (ok) {
            put_wstr(rp, text);
            LocalFree(text);
        }
        free(sd);
    } else if (!strcmp(f, "GetSecurityInfo")) {
        /* shim: ints: handle, ObjectType, SecurityInfo; value: the error code (the function returns it); reply blob:
           the self-relative descriptor */
        NEED(3, 0);
        PSECURITY_DESCRIPTOR sd = NULL;
        DWORD error = GetSecurityInfo(H(0), (SE_OBJECT_TYPE) I(1), (SECURITY_INFORMATION) I(2), NULL, NULL, NULL,
            NULL, &sd);
        DONE(error);
        if (error == ERROR_SUCCESS) {
            put_descriptor(rp, sd);
            LocalFree(sd);
        }
    } else if (!strcmp(f, "ReadMemory")) {
        /* test aid: reads n bytes at an address of this process (a view) */
        NEED(2, 0);
        put_blob(rp, (const void *) (intptr_t) I(0), (uint32_t) I(1));
        DONE(1);
    } else if (!strcmp(f, "WriteMemory")) {
        /* test aid: writes the blob at an address of this process (a view) */
        NEED(1, 1);
        memcpy((void *) (intptr_t) I(0), rq->blob[0], rq->blob_len[0]);
        DONE(1);
    } else {
        rp->status = 1;
    }
}

static void send_reply(SOCKET s, reply_t *rp) {
    uint32_t length = 4 + 8 + 4 + 2 + 8u * rp->nints + 2;
    for (int i = 0; i < rp->nblobs; i++) length += 4 + rp->blob_len[i];
    uint8_t *out = (uint8_t *) malloc(4 + length);
    uint32_t at = 0;
    wr32(out, length);
    at = 4;
    wr32(out + at, rp->status); at += 4;
    wr64(out + at, rp->value); at += 8;
    wr32(out + at, rp->last_error); at += 4;
    wr16(out + at, (uint16_t) rp->nints); at += 2;
    for (int i = 0; i < rp->nints; i++, at += 8) wr64(out + at, rp->ints[i]);
    wr16(out + at, (uint16_t) rp->nblobs); at += 2;
    for (int i = 0; i < rp->nblobs; i++) {
        wr32(out + at, rp->blob_len[i]);
        at += 4;
        memcpy(out + at, rp->blob[i], rp->blob_len[i]);
        at += rp->blob_len[i];
    }
    send_all(s, out, (int) (4 + length));
    free(out);
}

static DWORD WINAPI serve(LPVOID arg) {
    SOCKET s = (SOCKET) (uintptr_t) arg;
    char token[TOKEN_LENGTH];
    char kind = 0;
    if (!recv_all(s, token, TOKEN_LENGTH) || memcmp(token, g_token, TOKEN_LENGTH) != 0 || !recv_all(s, &kind, 1)) {
        closesocket(s);
        return 0;
    }
    if (kind == 'L') {
        /* The lifeline: nothing is ever sent on it; its end is the JVM's end. */
        InterlockedExchange(&g_lifeline_seen, 1);
        char ignored[64];
        while (recv(s, ignored, sizeof(ignored), 0) > 0) {
        }
        ExitProcess(0);
    }
    for (;;) {
        uint8_t header[4];
        if (!recv_all(s, header, 4)) break;
        uint32_t length = rd32(header);
        if (length > MAX_REQUEST) break;
        uint8_t *body = (uint8_t *) malloc(length ? length : 1);
        if (!recv_all(s, body, (int) length)) {
            free(body);
            break;
        }
        request_t rq;
        reply_t rp;
        memset(&rq, 0, sizeof(rq));
        memset(&rp, 0, sizeof(rp));
        if (!parse(body, length, &rq)) {
            rp.status = 1;
        } else {
            dispatch(&rq, &rp);
        }
        send_reply(s, &rp);
        for (int i = 0; i < rp.nblobs; i++) if (rp.blob_owned[i]) free(rp.blob[i]);
        free(body);
    }
    closesocket(s);
    return 0;
}

/* A bridge whose JVM never connected its lifeline (it died while starting us) must not outlive it. */
static DWORD WINAPI watchdog(LPVOID arg) {
    (void) arg;
    Sleep(30000);
    if (!g_lifeline_seen) {
        ExitProcess(3);
    }
    return 0;
}

int main(int argc, char **argv) {
    WSADATA wsa;
    if (argc < 2 || strlen(argv[1]) != TOKEN_LENGTH) {
        fprintf(stderr, "usage: win32bridge <32-character token>\n");
        return 2;
    }
    memcpy(g_token, argv[1], TOKEN_LENGTH + 1);
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "WSAStartup failed\n");
        return 1;
    }
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    int length = sizeof(address);
    if (listener == INVALID_SOCKET || bind(listener, (struct sockaddr *) &address, sizeof(address)) != 0
        || listen(listener, 64) != 0 || getsockname(listener, (struct sockaddr *) &address, &length) != 0) {
        fprintf(stderr, "cannot listen on 127.0.0.1: error=%d\n", WSAGetLastError());
        return 1;
    }
    printf("PORT %d PID %lu\n", ntohs(address.sin_port), (unsigned long) GetCurrentProcessId());
    fflush(stdout);
    HANDLE guard = CreateThread(NULL, 64 * 1024, watchdog, NULL, 0, NULL);
    if (guard != NULL) {
        CloseHandle(guard);
    }
    for (;;) {
        SOCKET s = accept(listener, NULL, NULL);
        if (s == INVALID_SOCKET) {
            Sleep(10);
            continue;
        }
        BOOL nodelay = TRUE;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *) &nodelay, sizeof(nodelay));
        HANDLE thread = CreateThread(NULL, 256 * 1024, serve, (LPVOID) (uintptr_t) s, 0, NULL);
        if (thread == NULL) {
            closesocket(s);
        } else {
            CloseHandle(thread);
        }
    }
}
