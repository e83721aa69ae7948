/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipcbus-client: a native Windows program that publishes one message to an ipcbus node, in the style of the classic
 * Win32 samples ("Named Pipe Client", "Writing to a Mailslot"). It shows what a C program needs to join a bus as a
 * writer: the frame layout of docs/PROTOCOL.md, and for a pipe inbox the hello of docs/PIPE.md.
 *
 *   ipcbus-client pipe     <pipe name>     <node id, 16 hex digits> <topic> <JSON payload>
 *   ipcbus-client mailslot <mailslot name>                          <topic> <JSON payload>
 *
 * e.g. ipcbus-client pipe \\.\pipe\ipcbus-shop-00000a1b2c3d4e5f 00000a1b2c3d4e5f orders.new "\"hello\""
 * The node's inbox name is the address in its registry record (docs/PIPE.md, docs/MAILSLOT.md).
 * Exit code 0 when the frame was written, 1 otherwise (the Win32 error is printed).
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -o ipcbus-client.exe ipcbus-client.c   (or cl ipcbus-client.c)
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAJOR_VERSION 2
#define FRAME_FLAG_TIMESTAMP 0x02
#define FRAME_HEADER_LENGTH 22        /* fixed part 14 + timestamp 8: a stamped PUBLISH without headers */
#define FRAME_TYPE_PUBLISH 1
#define CONTENT_TYPE_JSON 1
#define HELLO_LENGTH 16
#define HELLO_MAGIC 0x50435049u       /* "IPCP" */
#define SENDER_NODE_ID 0x0000c0ffee000001ULL

static void put32(BYTE *p, DWORD v) { p[0] = (BYTE) v; p[1] = (BYTE) (v >> 8); p[2] = (BYTE) (v >> 16); p[3] = (BYTE) (v >> 24); }
static void put64(BYTE *p, ULONGLONG v) { put32(p, (DWORD) v); put32(p + 4, (DWORD) (v >> 32)); }

/* Nanoseconds since 1970-01-01T00:00Z, from the system time (100 ns ticks since 1601). */
static ULONGLONG now_nanos(void)
{
    FILETIME ft;
    ULARGE_INTEGER ticks;
    GetSystemTimeAsFileTime(&ft);
    ticks.LowPart = ft.dwLowDateTime;
    ticks.HighPart = ft.dwHighDateTime;
    return (ticks.QuadPart - 116444736000000000ULL) * 100ULL;
}

/* Builds a PUBLISH frame (docs/PROTOCOL.md section 1); returns its length, or 0 if it does not fit. */
static DWORD build_frame(BYTE *frame, DWORD capacity, const char *topic, const char *json)
{
    DWORD topicLength = (DWORD) strlen(topic);
    DWORD payloadLength = (DWORD) strlen(json);
    DWORD length = FRAME_HEADER_LENGTH + topicLength + payloadLength;
    if (topicLength == 0 || topicLength > 255 || length > capacity) {
        return 0;
    }
    frame[0] = FRAME_MAJOR_VERSION;
    frame[1] = 0;                       /* minor version */
    frame[2] = FRAME_TYPE_PUBLISH;
    frame[3] = FRAME_FLAG_TIMESTAMP;    /* T: the timestamp field follows the fixed part */
    frame[4] = CONTENT_TYPE_JSON;
    frame[5] = (BYTE) topicLength;
    put64(frame + 6, SENDER_NODE_ID);
    put64(frame + 14, now_nanos());     /* a PUBLISH has no destination or correlation id */
    CopyMemory(frame + FRAME_HEADER_LENGTH, topic, topicLength);
    CopyMemory(frame + FRAME_HEADER_LENGTH + topicLength, json, payloadLength);
    return length;
}

static int send_to_pipe(const char *pipeName, const char *nodeHex, const BYTE *frame, DWORD frameLength)
{
    HANDLE hPipe;
    DWORD dwMode, cbWritten;
    BYTE hello[HELLO_LENGTH];
    ULONGLONG node = _strtoui64(nodeHex, NULL, 16);

    /* Try to open the pipe; wait for an instance if all are busy. */
    for (;;) {
        hPipe = CreateFileA(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (hPipe != INVALID_HANDLE_VALUE) {
            break;
        }
        if (GetLastError() != ERROR_PIPE_BUSY) {
            printf("Could not open pipe. GLE=%lu\n", GetLastError());
            return 1;
        }
        if (!WaitNamedPipeA(pipeName, 20000)) {
            printf("Could not open pipe: 20 second wait timed out.\n");
            return 1;
        }
    }

    /* The pipe connected; change to message-read mode (client handles start in byte mode). */
    dwMode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(hPipe, &dwMode, NULL, NULL)) {
        printf("SetNamedPipeHandleState failed. GLE=%lu\n", GetLastError());
        CloseHandle(hPipe);
        return 1;
    }

    /* First message: the hello naming the protocol version and the node we mean to reach. */
    ZeroMemory(hello, sizeof(hello));
    put32(hello, HELLO_MAGIC);
    hello[4] = 1;                       /* major version */
    hello[5] = 0;                       /* minor version */
    put64(hello + 8, node);
    if (!WriteFile(hPipe, hello, HELLO_LENGTH, &cbWritten, NULL) || cbWritten != HELLO_LENGTH) {
        printf("WriteFile (hello) to pipe failed. GLE=%lu\n", GetLastError());
        CloseHandle(hPipe);
        return 1;
    }

    /* Then one message per frame: the pipe keeps the boundaries. */
    if (!WriteFile(hPipe, frame, frameLength, &cbWritten, NULL) || cbWritten != frameLength) {
        printf("WriteFile (frame) to pipe failed. GLE=%lu\n", GetLastError());
        CloseHandle(hPipe);
        return 1;
    }
    printf("Sent %lu bytes to %s\n", frameLength, pipeName);
    CloseHandle(hPipe);
    return 0;
}

static int send_to_mailslot(const char *slotName, const BYTE *frame, DWORD frameLength)
{
    HANDLE hFile;
    DWORD cbWritten;

    hFile = CreateFileA(slotName, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
        FILE_ATTRIBUTE_NORMAL, NULL);
    if (hFile == INVALID_HANDLE_VALUE) {
        printf("CreateFile failed with %lu.\n", GetLastError());
        return 1;
    }
    /* One message per frame. */
    if (!WriteFile(hFile, frame, frameLength, &cbWritten, NULL) || cbWritten != frameLength) {
        printf("WriteFile failed with %lu.\n", GetLastError());
        CloseHandle(hFile);
        return 1;
    }
    printf("Sent %lu bytes to %s\n", frameLength, slotName);
    CloseHandle(hFile);
    return 0;
}

int main(int argc, char *argv[])
{
    static BYTE frame[65536];
    DWORD frameLength;

    if (argc == 6 && strcmp(argv[1], "pipe") == 0) {
        frameLength = build_frame(frame, sizeof(frame), argv[4], argv[5]);
        if (frameLength == 0) {
            printf("Topic or payload too long.\n");
            return 1;
        }
        return send_to_pipe(argv[2], argv[3], frame, frameLength);
    }
    if (argc == 5 && strcmp(argv[1], "mailslot") == 0) {
        frameLength = build_frame(frame, sizeof(frame), argv[3], argv[4]);
        if (frameLength == 0) {
            printf("Topic or payload too long.\n");
            return 1;
        }
        return send_to_mailslot(argv[2], frame, frameLength);
    }
    printf("usage: %s pipe <pipe name> <node id hex> <topic> <json>\n"
           "       %s mailslot <mailslot name> <topic> <json>\n", argv[0], argv[0]);
    return 2;
}
