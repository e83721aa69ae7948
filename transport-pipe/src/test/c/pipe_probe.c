/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipe_probe.c: runs, in C, the Win32 call sequence of transport-pipe's Windows layer (WindowsPipeInbox and
 * WindowsPipeConnection) and prints what each call returned, so that the semantics FakeWin32 (platform-windows) models can be
 * checked against a real Win32 implementation (Wine here; Windows when one is available). Not part of the build.
 *
 *   x86_64-w64-mingw32-gcc -O1 -o pipe_probe.exe pipe_probe.c -ladvapi32
 *   WINEPREFIX=/tmp/pipeprobe-wine WINEDEBUG=-all wine64 pipe_probe.exe
 */
#define _WIN32_WINNT 0x0600
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <string.h>

#define NAME "\\\\.\\pipe\\ipcbus-probe-0123456789abcdef"
#define MODE (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS)

static SECURITY_ATTRIBUTES sa;

static void report(const char *what, BOOL ok) {
    printf("%-58s -> %s, GetLastError=%lu\n", what, ok ? "TRUE" : "FALSE", ok ? 0UL : GetLastError());
}

static HANDLE server(DWORD extra) {
    return CreateNamedPipeA(NAME, PIPE_ACCESS_DUPLEX | extra, MODE, PIPE_UNLIMITED_INSTANCES, 0, 65536, 0, &sa);
}

static DWORD WINAPI blocking_connect(LPVOID h) {
    BOOL ok = ConnectNamedPipe((HANDLE) h, NULL);
    report("ConnectNamedPipe cancelled from another thread", ok);
    return 0;
}

static BOOL write_overlapped(HANDLE client, const char *data, DWORD length, OVERLAPPED *ov, DWORD wait_ms,
    const char *what) {
    DWORD done = 0;
    if (WriteFile(client, data, length, NULL, ov)) {
        printf("%-58s -> completed at once\n", what);
        return TRUE;
    }
    if (GetLastError() != ERROR_IO_PENDING) {
        report(what, FALSE);
        return FALSE;
    }
    if (WaitForSingleObject(ov->hEvent, wait_ms) == WAIT_OBJECT_0 && GetOverlappedResult(client, ov, &done, FALSE)) {
        printf("%-58s -> pending, then completed (%lu bytes)\n", what, done);
        return TRUE;
    }
    CancelIoEx(client, ov);
    BOOL ok = GetOverlappedResult(client, ov, &done, TRUE);
    printf("%-58s -> pending %lu ms, CancelIoEx, GetOverlappedResult=%s error=%lu bytes=%lu\n", what, wait_ms,
        ok ? "TRUE" : "FALSE", ok ? 0UL : GetLastError(), done);
    return ok;
}

int main(void) {
    HANDLE token;
    char user[256];
    DWORD size = 0;
    char *sid = NULL;
    char sddl[300];
    static char big[200000];
    static char readbuf[65536];
    DWORD n = 0, avail = 0, left = 0;
    OVERLAPPED ov;

    OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token);
    GetTokenInformation(token, TokenUser, user, sizeof user, &size);
    ConvertSidToStringSidA(((TOKEN_USER *) user)->User.Sid, &sid);
    snprintf(sddl, sizeof sddl, "D:P(A;;GA;;;%s)", sid);
    sa.nLength = sizeof sa;
    sa.bInheritHandle = FALSE;
    report(sddl, ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1,
        &sa.lpSecurityDescriptor, NULL));

    HANDLE first = server(FILE_FLAG_FIRST_PIPE_INSTANCE);
    report("CreateNamedPipe first instance (+FIRST_PIPE_INSTANCE)", first != INVALID_HANDLE_VALUE);
    HANDLE squat = server(FILE_FLAG_FIRST_PIPE_INSTANCE);
    report("CreateNamedPipe again with FIRST_PIPE_INSTANCE (squatter)", squat != INVALID_HANDLE_VALUE);
    if (squat != INVALID_HANDLE_VALUE) {
        CloseHandle(squat);
    }

    HANDLE client = CreateFileA(NAME, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
        NULL);
    report("client CreateFile before ConnectNamedPipe", client != INVALID_HANDLE_VALUE);
    report("ConnectNamedPipe after the client came (PIPE_CONNECTED?)", ConnectNamedPipe(first, NULL));
    HANDLE busy = CreateFileA(NAME, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    report("second client while the only instance is taken (PIPE_BUSY?)", busy != INVALID_HANDLE_VALUE);
    report("WaitNamedPipe 100 ms with no free instance (SEM_TIMEOUT?)", WaitNamedPipeA(NAME, 100));
    DWORD mode = PIPE_READMODE_MESSAGE;
    report("SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(client, &mode, NULL, NULL));

    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    write_overlapped(client, "IPCP-hello-16byt", 16, &ov, 1000, "WriteFile 16 B");
    memset(big, 'b', sizeof big);
    OVERLAPPED bigov;
    memset(&bigov, 0, sizeof bigov);
    bigov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    BOOL at_once = WriteFile(client, big, sizeof big, NULL, &bigov);
    printf("%-58s -> %s (error=%lu)\n", "WriteFile 200000 B (larger than the 64 KiB in-buffer)",
        at_once ? "completed at once" : "not at once", at_once ? 0UL : GetLastError());

    report("ReadFile 64 KiB buffer, 16 B message", ReadFile(first, readbuf, sizeof readbuf, &n, NULL));
    printf("    bytes=%lu\n", n);
    BOOL ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
    report("ReadFile 64 KiB buffer, 200000 B message (MORE_DATA?)", ok);
    printf("    bytes=%lu\n", n);
    report("PeekNamedPipe", PeekNamedPipe(first, NULL, 0, NULL, &avail, &left));
    printf("    avail=%lu leftThisMessage=%lu\n", avail, left);
    DWORD total = n;
    while (!ok && GetLastError() == ERROR_MORE_DATA) {
        ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
        total += n;
    }
    DWORD written = 0;
    BOOL wrote = GetOverlappedResult(client, &bigov, &written, TRUE);
    printf("%-58s -> total=%lu, last ReadFile=%s, write result=%s bytes=%lu\n", "rest of the message read", total,
        ok ? "TRUE" : "FALSE", wrote ? "TRUE" : "FALSE", written);

    /* Backpressure: the server does not read; writes of 30000 B until one stays pending, then cancel it. */
    int sent = 0;
    for (int i = 0; i < 64; i++) {
        if (WriteFile(client, big, 30000, NULL, &ov)) {
            sent++;
            continue;
        }
        if (GetLastError() == ERROR_IO_PENDING) {
            DWORD done = 0;
            Sleep(100);
            BOOL c = CancelIoEx(client, &ov);
            BOOL r = GetOverlappedResult(client, &ov, &done, TRUE);
            printf("%-58s -> after %d writes: CancelIoEx=%s, result=%s error=%lu bytes=%lu\n",
                "pending write cancelled", sent, c ? "TRUE" : "FALSE", r ? "TRUE" : "FALSE",
                r ? 0UL : GetLastError(), done);
            break;
        }
        report("WriteFile while filling", FALSE);
        break;
    }
    int messages = 0;
    DWORD bytes = 0;
    while (PeekNamedPipe(first, NULL, 0, NULL, &avail, &left) && avail > 0) {
        ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
        bytes += n;
        if (ok) {
            messages++;
        }
    }
    printf("%-58s -> %d whole messages, %lu bytes (sent %d at once)\n", "drained after the cancel", messages, bytes,
        sent);
    report("CancelIoEx with nothing pending (NOT_FOUND?)", CancelIoEx(client, NULL));

    /* A pending large message, partly read, then cancelled: what does the reader see next? */
    memset(&bigov, 0, sizeof bigov);
    bigov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    at_once = WriteFile(client, big, sizeof big, NULL, &bigov);
    ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
    printf("%-58s -> write at once=%s, first ReadFile=%s error=%lu bytes=%lu\n", "partly read pending message",
        at_once ? "TRUE" : "FALSE", ok ? "TRUE" : "FALSE", ok ? 0UL : GetLastError(), n);
    BOOL cancelled = CancelIoEx(client, &bigov);
    wrote = GetOverlappedResult(client, &bigov, &written, TRUE);
    printf("%-58s -> CancelIoEx=%s, write result=%s error=%lu bytes=%lu\n", "  ... then cancelled",
        cancelled ? "TRUE" : "FALSE", wrote ? "TRUE" : "FALSE", wrote ? 0UL : GetLastError(), written);
    PeekNamedPipe(first, NULL, 0, NULL, &avail, &left);
    printf("%-58s -> avail=%lu leftThisMessage=%lu\n", "  ... PeekNamedPipe after the cancel", avail, left);
    write_overlapped(client, "after", 5, &ov, 1000, "  ... next 5 B message written");
    ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
    printf("%-58s -> %s error=%lu bytes=%lu first='%.5s'\n", "  ... next ReadFile", ok ? "TRUE" : "FALSE",
        ok ? 0UL : GetLastError(), n, readbuf);
    if (!ok && GetLastError() == ERROR_MORE_DATA) {
        while (!ok && GetLastError() == ERROR_MORE_DATA) {
            ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
        }
        ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
        printf("%-58s -> %s bytes=%lu first='%.5s'\n", "  ... ReadFile after draining", ok ? "TRUE" : "FALSE", n,
            readbuf);
    }

    CloseHandle(client);
    ok = ReadFile(first, readbuf, sizeof readbuf, &n, NULL);
    report("server ReadFile after the client closed (BROKEN_PIPE?)", ok);
    report("DisconnectNamedPipe", DisconnectNamedPipe(first));

    HANDLE next = server(0);
    HANDLE c2 = CreateFileA(NAME, GENERIC_WRITE | GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    report("client connects to a fresh instance", c2 != INVALID_HANDLE_VALUE);
    CloseHandle(next);
    ok = WriteFile(c2, "x", 1, NULL, &ov);
    report("client WriteFile after the server closed (NO_DATA?)", ok);
    CloseHandle(c2);

    HANDLE waiting = server(0);
    HANDLE thread = CreateThread(NULL, 0, blocking_connect, waiting, 0, NULL);
    Sleep(200);
    report("CancelIoEx(instance blocked in ConnectNamedPipe)", CancelIoEx(waiting, NULL));
    report("thread ended within 2 s", WaitForSingleObject(thread, 2000) == WAIT_OBJECT_0);
    CloseHandle(waiting);
    CloseHandle(first);
    if (busy != INVALID_HANDLE_VALUE) {
        CloseHandle(busy);
    }
    HANDLE gone = CreateFileA(NAME, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    report("CreateFile once every instance is closed (FILE_NOT_FOUND?)", gone != INVALID_HANDLE_VALUE);
    return 0;
}
