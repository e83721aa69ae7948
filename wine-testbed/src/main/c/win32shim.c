/* SPDX-License-Identifier: Apache-2.0 */
/*
 * win32shim.c: libkernel32.so, the Linux stand-in for kernel32.dll that lets the production JNA binding run against
 * Wine's real Win32 objects (ipcbus Wine test bed; built with the system cc at test time by dev.ipcbus.wine.WineShim).
 *
 * Bridge: on the first call the library starts this process's own Wine bridge (win32bridge.exe under the Wine loader,
 * in the session's WINEPREFIX, WINEDEBUG=-all, WINEDLLOVERRIDES=mscoree,mshtml=, no DISPLAY), read from
 * win32shim.conf beside the library, and holds its lifeline: the bridge exits when this process ends, even on kill -9,
 * and Wine closes its handles as Windows does for a process that ends. One bridge per process: its handles are this
 * "Windows process"'s handles.
 *
 * Threads: each Linux thread makes its calls on a connection of its own (served by a bridge thread of its own), so a
 * blocking call (ConnectNamedPipe, ReadFile, WaitForSingleObject, WaitNamedPipeW, GetOverlappedResult with bWait)
 * blocks only its caller; the connection closes when the thread ends.
 *
 * ABI conversions:
 * - wide strings: wchar_t is 4 bytes here; JNA passes a Java string one UTF-16 unit per wchar_t and reads one back the
 *   same way, so each unit travels as itself (a wchar_t above 0xFFFF becomes a surrogate pair);
 * - last error: per thread, in errno (what JNA's Native.getLastError() reads on Linux), set last in every export;
 * - memory a call allocates in Wine (SDDL conversions, SID strings, GetSecurityInfo, FormatMessageW's
 *   FORMAT_MESSAGE_ALLOCATE_BUFFER) is copied into memory of this process that LocalFree frees; pointers inside it
 *   (TOKEN_USER's Sid, GetSecurityInfo's owner/DACL) are relocated; no Wine address reaches the caller;
 * - SECURITY_ATTRIBUTES: the descriptor's bytes travel (self-relative; an absolute descriptor is made self-relative);
 * - shared memory: CreateFileMappingW(INVALID_HANDLE_VALUE, ...) is backed by a file in the session's /dev/shm
 *   directory, named after the object (as dev.ipcbus.wine.WineFileMappings names it), which MapViewOfFile maps here
 *   while the bridge maps the same object in Wine, so this process and every Wine process see the same bytes. A new
 *   mapping is zero-filled, an existing name returns the same object with ERROR_ALREADY_EXISTS (Wine's own answer),
 *   and the file is deleted when the name disappears in Wine (checked after each CloseHandle/UnmapViewOfFile);
 * - overlapped I/O runs on a bridge-side OVERLAPPED and buffer. What Wine cannot see from there is policed here: a
 *   write buffer is checksummed at issue and at completion, a read buffer is filled with a canary at issue that must be
 *   intact at completion (the data is copied in then), and an OVERLAPPED may not be reissued while pending; the
 *   OVERLAPPED's Internal (STATUS_PENDING while pending, the NTSTATUS at completion) and InternalHigh (bytes) are
 *   written as Windows writes them, at issue and when completion is observed (GetOverlappedResult).
 *
 * Violations go to stderr and a counter (ipcbus_shim_take_violations) that the test bed checks after each test class; a
 * process that does not watch the counter (ipcbus_shim_watch_violations) exits at once with status 86 instead.
 *
 * Not supported (clear error, ERROR_NOT_SUPPORTED and a line on stderr): CreateFileMappingW on a real file handle,
 * ConnectNamedPipe with an OVERLAPPED, FormatMessageW from a module or string.
 */
#define _GNU_SOURCE
#include "win32shim.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TOKEN_LENGTH 32
#define START_TIMEOUT_MS 180000
#define EXIT_TIMEOUT_MS 5000
#define VIOLATION_EXIT_STATUS 86

#define STATUS_PENDING 0x103
#define ERROR_FILE_NOT_FOUND 2
#define ERROR_IO_INCOMPLETE 996
#define ERROR_IO_PENDING 997
#define ERROR_MORE_DATA 234
#define ERROR_INVALID_ADDRESS 487
#define ERROR_NOT_FOUND 1168
#define FILE_MAP_COPY 0x0001
#define FILE_MAP_WRITE 0x0002
#define FILE_MAP_READ 0x0004
#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x0100
#define FORMAT_MESSAGE_FROM_STRING 0x0400
#define FORMAT_MESSAGE_FROM_HMODULE 0x0800
#define FORMAT_MESSAGE_FROM_SYSTEM 0x1000
#define SE_SELF_RELATIVE 0x8000
#define SECURITY_FORMAT_DESCRIPTOR 1

/* ---------------------------------------------------------------------------------------------------------------- */
/* Process state: the configuration, the bridge, the violation counter.                                             */

static struct {
    pthread_mutex_t lock;
    int started;               /* 1 running, -1 failed for good */
    char loader[4096];
    char bridge[4096];
    char prefix[4096];
    char shm[4096];
    char token[TOKEN_LENGTH + 1];
    int port;
    int lifeline;
    pid_t pid;
    pthread_key_t connection_key;
    pthread_mutex_t shm_lock;  /* with flock on the shm directory: name probes and backing files, across processes */
    int shm_fd;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .lifeline = -1, .shm_lock = PTHREAD_MUTEX_INITIALIZER, .shm_fd = -1 };

static atomic_long g_violations;
static atomic_int g_watched;
static __thread uint32_t t_last_error;

SHIM_EXPORT void ipcbus_shim_set_last_error(uint32_t code) {
    t_last_error = code;
    errno = (int) code;
}

/** The number of violations seen in this process since the last call (the counter restarts at 0). */
SHIM_EXPORT long ipcbus_shim_take_violations(void) {
    return atomic_exchange(&g_violations, 0);
}

/** Declares that this process checks ipcbus_shim_violations (otherwise a violation ends the process). */
SHIM_EXPORT void ipcbus_shim_watch_violations(int watched) {
    atomic_store(&g_watched, watched);
}

/** The Linux pid of this process's bridge (0 before the first call). */
SHIM_EXPORT int ipcbus_shim_bridge_pid(void) {
    return (int) g.pid;
}

SHIM_EXPORT void ipcbus_shim_violation(const char *format, ...) {
    int saved = errno;
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    fprintf(stderr, "ipcbus win32shim VIOLATION (pid %d): %s\n", (int) getpid(), text);
    fflush(stderr);
    atomic_fetch_add(&g_violations, 1);
    if (!atomic_load(&g_watched)) {
        _exit(VIOLATION_EXIT_STATUS);
    }
    errno = saved;
}

static void report(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *format, ...) {
    int saved = errno;
    va_list args;
    va_start(args, format);
    fprintf(stderr, "ipcbus win32shim (pid %d): ", (int) getpid());
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(args);
    errno = saved;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Configuration and the bridge process.                                                                            */

static int read_config(void) {
    Dl_info info;
    if (!dladdr((void *) &ipcbus_shim_begin, &info) || info.dli_fname == NULL) {
        report("cannot find the library's own path (dladdr)");
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s", info.dli_fname);
    char *slash = strrchr(path, '/');
    if (slash == NULL) {
        report("library path without a directory: %s", path);
        return 0;
    }
    snprintf(slash + 1, sizeof(path) - (size_t) (slash + 1 - path), "win32shim.conf");
    FILE *in = fopen(path, "re");
    if (in == NULL) {
        report("cannot read the configuration %s: %s", path, strerror(errno));
        return 0;
    }
    char line[8192];
    while (fgets(line, sizeof(line), in) != NULL) {
        line[strcspn(line, "\r\n")] = 0;
        char *eq = strchr(line, '=');
        if (eq == NULL || line[0] == '#') continue;
        *eq = 0;
        const char *value = eq + 1;
        if (!strcmp(line, "loader")) snprintf(g.loader, sizeof(g.loader), "%s", value);
        else if (!strcmp(line, "bridge")) snprintf(g.bridge, sizeof(g.bridge), "%s", value);
        else if (!strcmp(line, "prefix")) snprintf(g.prefix, sizeof(g.prefix), "%s", value);
        else if (!strcmp(line, "shm")) snprintf(g.shm, sizeof(g.shm), "%s", value);
    }
    fclose(in);
    if (!g.loader[0] || !g.bridge[0] || !g.prefix[0] || !g.shm[0]) {
        report("configuration %s lacks loader, bridge, prefix or shm", path);
        return 0;
    }
    return 1;
}

static int send_all(int fd, const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *) data;
    while (length > 0) {
        ssize_t n = send(fd, p, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        p += n;
        length -= (size_t) n;
    }
    return 1;
}

static int recv_all(int fd, void *data, size_t length) {
    uint8_t *p = (uint8_t *) data;
    while (length > 0) {
        ssize_t n = recv(fd, p, length, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        p += n;
        length -= (size_t) n;
    }
    return 1;
}

/* A connection to the bridge, announced as kind 'L' (lifeline) or 'C' (calls); -1 on failure. */
static int connect_bridge(char kind) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((uint16_t) g.port);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char hello[TOKEN_LENGTH + 1];
    memcpy(hello, g.token, TOKEN_LENGTH);
    hello[TOKEN_LENGTH] = kind;
    int r;
    do {
        r = connect(fd, (struct sockaddr *) &address, sizeof(address));
    } while (r < 0 && errno == EINTR);
    if (r < 0 || !send_all(fd, hello, sizeof(hello))) {
        close(fd);
        return -1;
    }
    return fd;
}

static void new_token(char *token) {
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint8_t random[TOKEN_LENGTH];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, random, sizeof(random)) != (ssize_t) sizeof(random)) {
        for (int i = 0; i < TOKEN_LENGTH; i++) random[i] = (uint8_t) (rand() ^ (getpid() >> i));
    }
    if (fd >= 0) close(fd);
    for (int i = 0; i < TOKEN_LENGTH; i++) token[i] = alphabet[random[i] % (sizeof(alphabet) - 1)];
    token[TOKEN_LENGTH] = 0;
}

/* The environment of Wine processes: ours without a display, with the session's prefix, silent. */
static char **wine_environment(void) {
    size_t n = 0;
    while (environ[n] != NULL) n++;
    char **env = (char **) calloc(n + 4, sizeof(char *));
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        if (!strncmp(e, "DISPLAY=", 8) || !strncmp(e, "WAYLAND_DISPLAY=", 16) || !strncmp(e, "WINEPREFIX=", 11)
            || !strncmp(e, "WINEDEBUG=", 10) || !strncmp(e, "WINEDLLOVERRIDES=", 17)) {
            continue;
        }
        env[at++] = (char *) e;
    }
    static char prefix[4200];
    snprintf(prefix, sizeof(prefix), "WINEPREFIX=%s", g.prefix);
    env[at++] = prefix;
    env[at++] = "WINEDEBUG=-all";
    env[at++] = "WINEDLLOVERRIDES=mscoree,mshtml=";
    env[at] = NULL;
    return env;
}

/* Reads the bridge's "PORT <n> PID <m>" line within the start timeout. */
static int read_port(int fd) {
    char line[128];
    size_t at = 0;
    long deadline = now_ms() + START_TIMEOUT_MS;
    while (at < sizeof(line) - 1) {
        struct pollfd p = { fd, POLLIN, 0 };
        long left = deadline - now_ms();
        if (left <= 0) return -1;
        int r = poll(&p, 1, (int) left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t n = read(fd, line + at, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        if (line[at] == '\n') break;
        at++;
    }
    line[at] = 0;
    int port = 0;
    unsigned long wine_pid = 0;
    return sscanf(line, "PORT %d PID %lu", &port, &wine_pid) == 2 ? port : -1;
}

static void reap(pid_t pid, long timeout_ms) {
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) return;
        if (now_ms() >= deadline) break;
        struct timespec pause = { 0, 10 * 1000000L };
        nanosleep(&pause, NULL); /* bounded wait for a process exit: no child-exit event to block on portably */
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void connection_closed(void *value) {
    close((int) (intptr_t) value - 1);
}

/* Starts the bridge; called under g.lock. */
static int start_bridge(void) {
    if (!read_config()) return 0;
    if (pthread_key_create(&g.connection_key, connection_closed) != 0) return 0;
    new_token(g.token);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3); /* no fd of this JVM (pipes to its children) leaks */
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *argv[] = { g.loader, g.bridge, g.token, NULL };
    char **env = wine_environment();
    int spawned = posix_spawn(&g.pid, g.loader, &actions, &attributes, argv, env);
    free(env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out[1]);
    if (spawned != 0) {
        close(out[0]);
        report("cannot start the Wine bridge %s %s: %s", g.loader, g.bridge, strerror(spawned));
        g.pid = 0;
        return 0;
    }
    g.port = read_port(out[0]);
    close(out[0]); /* the bridge prints nothing after its port */
    if (g.port <= 0 || (g.lifeline = connect_bridge('L')) < 0) {
        report("the Wine bridge did not start (no port within %d s or no lifeline): prefix=%s", START_TIMEOUT_MS / 1000,
            g.prefix);
        kill(g.pid, SIGKILL);
        waitpid(g.pid, NULL, 0);
        g.pid = 0;
        return 0;
    }
    g.shm_fd = open(g.shm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return 1;
}

static int ensure_bridge(void) {
    pthread_mutex_lock(&g.lock);
    if (g.started == 0) {
        g.started = start_bridge() ? 1 : -1;
    }
    int ok = g.started == 1;
    pthread_mutex_unlock(&g.lock);
    return ok;
}

/* At exit (System.exit or the end of main): close the lifeline, so the bridge exits, and reap it. */
__attribute__((destructor)) static void stop_bridge(void) {
    if (g.started == 1 && g.lifeline >= 0) {
        shutdown(g.lifeline, SHUT_RDWR);
        close(g.lifeline);
        g.lifeline = -1;
        reap(g.pid, EXIT_TIMEOUT_MS);
    }
}

/* This thread's connection, opened on first use; -1 if the bridge is unavailable. */
static int thread_connection(void) {
    if (!ensure_bridge()) return -1;
    void *value = pthread_getspecific(g.connection_key);
    if (value != NULL) return (int) (intptr_t) value - 1;
    int fd = connect_bridge('C');
    if (fd >= 0) pthread_setspecific(g.connection_key, (void *) (intptr_t) (fd + 1));
    return fd;
}

static void drop_connection(int fd) {
    close(fd);
    pthread_setspecific(g.connection_key, NULL);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Calls.                                                                                                           */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t) v; p[1] = (uint8_t) (v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t) (v >> (8 * i)); }
static void put64(uint8_t *p, int64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t) ((uint64_t) v >> (8 * i)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t) (p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) {
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}
static int64_t get64(const uint8_t *p) { return (int64_t) ((uint64_t) get32(p) | ((uint64_t) get32(p + 4) << 32)); }

SHIM_EXPORT void ipcbus_shim_begin(shim_call_t *c, const char *name, int64_t failure_value) {
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->value = failure_value;
}

SHIM_EXPORT void ipcbus_shim_int(shim_call_t *c, int64_t value) {
    c->ints[c->nints++] = value;
}

SHIM_EXPORT void ipcbus_shim_blob(shim_call_t *c, const void *data, uint32_t length) {
    c->blob[c->nblobs] = data;
    c->blob_len[c->nblobs] = data != NULL ? length : 0;
    c->nblobs++;
}

/* UTF-16 units of a wchar_t string (see the file comment); *units gets the count. Free with free(). */
static uint16_t *to_utf16(const wchar_t *text, size_t *units) {
    size_t n = wcslen(text);
    uint16_t *out = (uint16_t *) malloc((2 * n + 1) * sizeof(uint16_t));
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = (uint32_t) text[i];
        if (cp >= 0x10000 && cp <= 0x10FFFF) {
            cp -= 0x10000;
            out[at++] = (uint16_t) (0xD800 | (cp >> 10));
            out[at++] = (uint16_t) (0xDC00 | (cp & 0x3FF));
        } else {
            out[at++] = (uint16_t) (cp <= 0xFFFF ? cp : 0xFFFD);
        }
    }
    *units = at;
    return out;
}

SHIM_EXPORT void ipcbus_shim_wide(shim_call_t *c, const wchar_t *text) {
    if (text == NULL) {
        ipcbus_shim_blob(c, NULL, 0);
        return;
    }
    size_t units;
    uint16_t *utf16 = to_utf16(text, &units);
    uint8_t *bytes = (uint8_t *) malloc(units * 2 + 1);
    for (size_t i = 0; i < units; i++) put16(bytes + 2 * i, utf16[i]);
    free(utf16);
    c->owned[c->nowned++] = bytes;
    ipcbus_shim_blob(c, bytes, (uint32_t) (units * 2));
}

SHIM_EXPORT int ipcbus_shim_invoke(shim_call_t *c) {
    int fd = thread_connection();
    if (fd < 0) {
        report("no Wine bridge for %s (see the messages above)", c->name);
        c->last_error = SHIM_ERROR_BAD_ENVIRONMENT;
        return 0;
    }
    size_t name_length = strlen(c->name);
    size_t length = 2 + name_length + 2 + 8 * (size_t) c->nints + 2;
    for (int i = 0; i < c->nblobs; i++) length += 4 + c->blob_len[i];
    uint8_t *request = (uint8_t *) malloc(4 + length);
    uint8_t *p = request;
    put32(p, (uint32_t) length); p += 4;
    put16(p, (uint16_t) name_length); p += 2;
    memcpy(p, c->name, name_length); p += name_length;
    put16(p, (uint16_t) c->nints); p += 2;
    for (int i = 0; i < c->nints; i++, p += 8) put64(p, c->ints[i]);
    put16(p, (uint16_t) c->nblobs); p += 2;
    for (int i = 0; i < c->nblobs; i++) {
        put32(p, c->blob_len[i]); p += 4;
        if (c->blob_len[i]) memcpy(p, c->blob[i], c->blob_len[i]);
        p += c->blob_len[i];
    }
    int sent = send_all(fd, request, 4 + length);
    free(request);
    uint8_t header[4];
    if (!sent || !recv_all(fd, header, 4)) {
        drop_connection(fd);
        report("the Wine bridge connection broke during %s (bridge pid %d)", c->name, (int) g.pid);
        c->last_error = SHIM_ERROR_BAD_ENVIRONMENT;
        return 0;
    }
    uint32_t reply_length = get32(header);
    c->reply_buffer = (uint8_t *) malloc(reply_length ? reply_length : 1);
    if (reply_length < 20 || !recv_all(fd, c->reply_buffer, reply_length)) {
        drop_connection(fd);
        report("malformed or cut reply from the Wine bridge to %s", c->name);
        c->last_error = SHIM_ERROR_BAD_ENVIRONMENT;
        return 0;
    }
    const uint8_t *r = c->reply_buffer, *end = r + reply_length;
    if (get32(r) != 0) {
        report("the Wine bridge refused %s (unknown call or bad arguments: a shim bug)", c->name);
        c->last_error = SHIM_ERROR_NOT_SUPPORTED;
        return 0;
    }
    c->value = get64(r + 4);
    c->last_error = get32(r + 12);
    r += 16;
    c->nouts = get16(r); r += 2;
    for (int i = 0; i < c->nouts && i < SHIM_MAX_INTS && r + 8 <= end; i++, r += 8) c->outs[i] = get64(r);
    c->nreplies = r + 2 <= end ? get16(r) : 0;
    r += 2;
    for (int i = 0; i < c->nreplies && i < SHIM_MAX_BLOBS && r + 4 <= end; i++) {
        c->reply_len[i] = get32(r);
        r += 4;
        c->reply_blob[i] = r;
        r += c->reply_len[i];
    }
    return 1;
}

SHIM_EXPORT void ipcbus_shim_end(shim_call_t *c) {
    int saved = errno;
    for (int i = 0; i < c->nowned; i++) free(c->owned[i]);
    free(c->reply_buffer);
    c->nowned = 0;
    c->reply_buffer = NULL;
    errno = saved;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* LocalFree'd memory.                                                                                              */

typedef struct local_block {
    struct local_block *next;
    size_t size;
    max_align_t data[];
} local_block_t;

static local_block_t *g_local;
static pthread_mutex_t g_local_lock = PTHREAD_MUTEX_INITIALIZER;

SHIM_EXPORT void *ipcbus_shim_local_alloc(size_t size) {
    local_block_t *block = (local_block_t *) calloc(1, sizeof(local_block_t) + (size ? size : 1));
    if (block == NULL) return NULL;
    block->size = size;
    pthread_mutex_lock(&g_local_lock);
    block->next = g_local;
    g_local = block;
    pthread_mutex_unlock(&g_local_lock);
    return block->data;
}

SHIM_EXPORT wchar_t *ipcbus_shim_local_text(const uint8_t *utf16, uint32_t length) {
    uint32_t units = length / 2;
    wchar_t *text = (wchar_t *) ipcbus_shim_local_alloc((units + 1) * sizeof(wchar_t));
    if (text == NULL) return NULL;
    for (uint32_t i = 0; i < units; i++) text[i] = (wchar_t) get16(utf16 + 2 * i);
    text[units] = 0;
    return text;
}

SHIM_EXPORT void *LocalFree(void *hMem) {
    if (hMem == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&g_local_lock);
    local_block_t **at = &g_local;
    while (*at != NULL && (void *) (*at)->data != hMem) at = &(*at)->next;
    local_block_t *block = *at;
    if (block != NULL) *at = block->next;
    pthread_mutex_unlock(&g_local_lock);
    if (block == NULL) {
        ipcbus_shim_violation("LocalFree(%p): not memory a Win32 call allocated (freed twice, or never allocated)",
            hMem);
        ipcbus_shim_set_last_error(SHIM_ERROR_INVALID_HANDLE);
        return hMem;
    }
    free(block);
    ipcbus_shim_set_last_error(0);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Security descriptors.                                                                                            */

static uint32_t sid_length(const uint8_t *sid) {
    return 8 + 4u * sid[1];
}

static uint32_t acl_length(const uint8_t *acl) {
    return get16(acl + 2);
}

SHIM_EXPORT uint32_t ipcbus_shim_descriptor_length(const void *descriptor) {
    const uint8_t *sd = (const uint8_t *) descriptor;
    if (!(get16(sd + 2) & SE_SELF_RELATIVE)) return 0;
    uint32_t length = 20, owner = get32(sd + 4), group = get32(sd + 8), sacl = get32(sd + 12), dacl = get32(sd + 16);
    if (owner && owner + sid_length(sd + owner) > length) length = owner + sid_length(sd + owner);
    if (group && group + sid_length(sd + group) > length) length = group + sid_length(sd + group);
    if (sacl && sacl + acl_length(sd + sacl) > length) length = sacl + acl_length(sd + sacl);
    if (dacl && dacl + acl_length(sd + dacl) > length) length = dacl + acl_length(sd + dacl);
    return length;
}

/* The self-relative bytes of a descriptor (an absolute one, Win64 layout, is made self-relative). Free with free(). */
static uint8_t *descriptor_bytes(const void *descriptor, uint32_t *length) {
    const uint8_t *sd = (const uint8_t *) descriptor;
    uint32_t self_relative = ipcbus_shim_descriptor_length(sd);
    if (self_relative) {
        uint8_t *copy = (uint8_t *) malloc(self_relative);
        memcpy(copy, sd, self_relative);
        *length = self_relative;
        return copy;
    }
    /* absolute: Revision, Sbz1, Control, 4 bytes padding, then Owner, Group, Sacl, Dacl pointers */
    const uint8_t *parts[4];
    uint32_t sizes[4], total = 20;
    for (int i = 0; i < 4; i++) {
        memcpy(&parts[i], sd + 8 + 8 * i, sizeof(parts[i]));
        sizes[i] = parts[i] == NULL ? 0 : (i < 2 ? sid_length(parts[i]) : acl_length(parts[i]));
        total += sizes[i];
    }
    uint8_t *out = (uint8_t *) calloc(1, total);
    out[0] = sd[0];
    out[1] = sd[1];
    put16(out + 2, (uint16_t) (get16(sd + 2) | SE_SELF_RELATIVE));
    uint32_t at = 20;
    for (int i = 0; i < 4; i++) {
        if (parts[i] != NULL) {
            memcpy(out + at, parts[i], sizes[i]);
            put32(out + 4 + 4 * i, at); /* self-relative order: OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl */
            at += sizes[i];
        }
    }
    *length = total;
    return out;
}

/* SECURITY_ATTRIBUTES as Win64 lays it out (and Linux x86_64 C lays out the same). */
typedef struct {
    DWORD nLength;
    void *lpSecurityDescriptor;
    BOOL bInheritHandle;
} shim_security_attributes_t;

/* Adds the descriptor of lpSecurityAttributes as a blob (empty: none); the call owns the bytes. */
static void security_blob(shim_call_t *c, const void *lpSecurityAttributes) {
    const shim_security_attributes_t *sa = (const shim_security_attributes_t *) lpSecurityAttributes;
    if (sa == NULL || sa->lpSecurityDescriptor == NULL) {
        ipcbus_shim_blob(c, NULL, 0);
        return;
    }
    uint32_t length;
    uint8_t *bytes = descriptor_bytes(sa->lpSecurityDescriptor, &length);
    c->owned[c->nowned++] = bytes;
    ipcbus_shim_blob(c, bytes, length);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Plain kernel32 exports.                                                                                          */

#define HANDLE_ARG(h) ((int64_t) (intptr_t) (h))
#define AS_HANDLE(v) ((HANDLE) (intptr_t) (v))

SHIM_EXPORT DWORD GetLastError(void) {
    return t_last_error;
}

SHIM_EXPORT void SetLastError(DWORD dwErrCode) {
    ipcbus_shim_set_last_error(dwErrCode);
}

SHIM_EXPORT HANDLE GetCurrentProcess(void) {
    return SHIM_INVALID_HANDLE; /* the pseudo handle; the bridge resolves it in its own process */
}

SHIM_EXPORT DWORD GetCurrentProcessId(void) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetCurrentProcessId", 0);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, (DWORD) c.value);
}

static void release_mapping_handle(HANDLE h);
static void release_overlapped_of(HANDLE h);

SHIM_EXPORT BOOL CloseHandle(HANDLE hObject) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "CloseHandle", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hObject));
    BOOL ok = ipcbus_shim_invoke(&c) && c.value != 0;
    if (ok) {
        release_overlapped_of(hObject);
        release_mapping_handle(hObject);
    }
    SHIM_RETURN(&c, ok);
}

SHIM_EXPORT DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "WaitForSingleObject", (int64_t) 0xFFFFFFFFu);
    ipcbus_shim_int(&c, HANDLE_ARG(hHandle));
    ipcbus_shim_int(&c, dwMilliseconds);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, (DWORD) c.value);
}

SHIM_EXPORT HANDLE CreateEventW(const void *lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
    const wchar_t *lpName) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "CreateEventW", 0);
    ipcbus_shim_int(&c, bManualReset);
    ipcbus_shim_int(&c, bInitialState);
    ipcbus_shim_int(&c, SECURITY_FORMAT_DESCRIPTOR);
    ipcbus_shim_wide(&c, lpName);
    security_blob(&c, lpEventAttributes);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, AS_HANDLE(c.value));
}

SHIM_EXPORT HANDLE OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, const wchar_t *lpName) {
    (void) bInheritHandle; /* no Wine-side child processes inherit handles here */
    shim_call_t c;
    ipcbus_shim_begin(&c, "OpenEventW", 0);
    ipcbus_shim_int(&c, dwDesiredAccess);
    ipcbus_shim_wide(&c, lpName);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, AS_HANDLE(c.value));
}

static BOOL handle_call(const char *name, HANDLE h) {
    shim_call_t c;
    ipcbus_shim_begin(&c, name, 0);
    ipcbus_shim_int(&c, HANDLE_ARG(h));
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL SetEvent(HANDLE hEvent) {
    return handle_call("SetEvent", hEvent);
}

SHIM_EXPORT BOOL ResetEvent(HANDLE hEvent) {
    return handle_call("ResetEvent", hEvent);
}

SHIM_EXPORT BOOL DisconnectNamedPipe(HANDLE hNamedPipe) {
    return handle_call("DisconnectNamedPipe", hNamedPipe);
}

SHIM_EXPORT HANDLE CreateNamedPipeW(const wchar_t *lpName, DWORD dwOpenMode, DWORD dwPipeMode, DWORD nMaxInstances,
    DWORD nOutBufferSize, DWORD nInBufferSize, DWORD nDefaultTimeOut, const void *lpSecurityAttributes) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "CreateNamedPipeW", (int64_t) (intptr_t) SHIM_INVALID_HANDLE);
    ipcbus_shim_int(&c, dwOpenMode);
    ipcbus_shim_int(&c, dwPipeMode);
    ipcbus_shim_int(&c, nMaxInstances);
    ipcbus_shim_int(&c, nOutBufferSize);
    ipcbus_shim_int(&c, nInBufferSize);
    ipcbus_shim_int(&c, nDefaultTimeOut);
    ipcbus_shim_int(&c, SECURITY_FORMAT_DESCRIPTOR);
    ipcbus_shim_wide(&c, lpName);
    security_blob(&c, lpSecurityAttributes);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, AS_HANDLE(c.value));
}

SHIM_EXPORT BOOL ConnectNamedPipe(HANDLE hNamedPipe, void *lpOverlapped) {
    if (lpOverlapped != NULL) {
        report("ConnectNamedPipe with an OVERLAPPED is not supported by the shim");
        ipcbus_shim_set_last_error(SHIM_ERROR_NOT_SUPPORTED);
        return 0;
    }
    return handle_call("ConnectNamedPipe", hNamedPipe);
}

SHIM_EXPORT HANDLE CreateFileW(const wchar_t *lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
    const void *lpSecurityAttributes, DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
    if (hTemplateFile != NULL) {
        report("CreateFileW with a template file is not supported by the shim");
        ipcbus_shim_set_last_error(SHIM_ERROR_NOT_SUPPORTED);
        return SHIM_INVALID_HANDLE;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "CreateFileW", (int64_t) (intptr_t) SHIM_INVALID_HANDLE);
    ipcbus_shim_int(&c, dwDesiredAccess);
    ipcbus_shim_int(&c, dwShareMode);
    ipcbus_shim_int(&c, dwCreationDisposition);
    ipcbus_shim_int(&c, dwFlagsAndAttributes);
    ipcbus_shim_wide(&c, lpFileName);
    security_blob(&c, lpSecurityAttributes);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, AS_HANDLE(c.value));
}

SHIM_EXPORT BOOL WaitNamedPipeW(const wchar_t *lpNamedPipeName, DWORD nTimeOut) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "WaitNamedPipeW", 0);
    ipcbus_shim_int(&c, nTimeOut);
    ipcbus_shim_wide(&c, lpNamedPipeName);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL SetNamedPipeHandleState(HANDLE hNamedPipe, const DWORD *lpMode, const DWORD *lpMaxCollectionCount,
    const DWORD *lpCollectDataTimeout) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "SetNamedPipeHandleState", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hNamedPipe));
    ipcbus_shim_int(&c, lpMode != NULL ? *lpMode : 0);
    ipcbus_shim_int(&c, (lpMode != NULL ? 1 : 0) | (lpMaxCollectionCount != NULL ? 2 : 0)
        | (lpCollectDataTimeout != NULL ? 4 : 0));
    ipcbus_shim_int(&c, lpMaxCollectionCount != NULL ? *lpMaxCollectionCount : 0);
    ipcbus_shim_int(&c, lpCollectDataTimeout != NULL ? *lpCollectDataTimeout : 0);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL PeekNamedPipe(HANDLE hNamedPipe, void *lpBuffer, DWORD nBufferSize, DWORD *lpBytesRead,
    DWORD *lpTotalBytesAvail, DWORD *lpBytesLeftThisMessage) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "PeekNamedPipe", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hNamedPipe));
    ipcbus_shim_int(&c, lpBuffer != NULL ? nBufferSize : 0);
    if (ipcbus_shim_invoke(&c) && c.value) {
        if (lpTotalBytesAvail != NULL) *lpTotalBytesAvail = (DWORD) c.outs[0];
        if (lpBytesLeftThisMessage != NULL) *lpBytesLeftThisMessage = (DWORD) c.outs[1];
        if (lpBytesRead != NULL) *lpBytesRead = (DWORD) c.outs[2];
        if (lpBuffer != NULL && c.nreplies > 0) memcpy(lpBuffer, c.reply_blob[0], c.reply_len[0]);
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT HANDLE CreateMailslotW(const wchar_t *lpName, DWORD nMaxMessageSize, DWORD lReadTimeout,
    const void *lpSecurityAttributes) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "CreateMailslotW", (int64_t) (intptr_t) SHIM_INVALID_HANDLE);
    ipcbus_shim_int(&c, nMaxMessageSize);
    ipcbus_shim_int(&c, lReadTimeout);
    ipcbus_shim_wide(&c, lpName);
    security_blob(&c, lpSecurityAttributes);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, AS_HANDLE(c.value));
}

SHIM_EXPORT BOOL GetMailslotInfo(HANDLE hMailslot, DWORD *lpMaxMessageSize, DWORD *lpNextSize,
    DWORD *lpMessageCount, DWORD *lpReadTimeout) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetMailslotInfo", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hMailslot));
    if (ipcbus_shim_invoke(&c) && c.value) {
        if (lpMaxMessageSize != NULL) *lpMaxMessageSize = (DWORD) c.outs[0];
        if (lpNextSize != NULL) *lpNextSize = (DWORD) c.outs[1];
        if (lpMessageCount != NULL) *lpMessageCount = (DWORD) c.outs[2];
        if (lpReadTimeout != NULL) *lpReadTimeout = (DWORD) c.outs[3];
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL SetMailslotInfo(HANDLE hMailslot, DWORD lReadTimeout) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "SetMailslotInfo", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hMailslot));
    ipcbus_shim_int(&c, lReadTimeout);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT DWORD FormatMessageW(DWORD dwFlags, const void *lpSource, DWORD dwMessageId, DWORD dwLanguageId,
    wchar_t *lpBuffer, DWORD nSize, void *Arguments) {
    (void) lpSource;
    (void) Arguments; /* inserts are not expanded (system messages are asked with FORMAT_MESSAGE_IGNORE_INSERTS) */
    if (!(dwFlags & FORMAT_MESSAGE_FROM_SYSTEM)
        || (dwFlags & (FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_FROM_HMODULE))) {
        report("FormatMessageW supports FORMAT_MESSAGE_FROM_SYSTEM only: flags=0x%x", dwFlags);
        ipcbus_shim_set_last_error(SHIM_ERROR_NOT_SUPPORTED);
        return 0;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "FormatMessageW", 0);
    ipcbus_shim_int(&c, dwMessageId);
    ipcbus_shim_int(&c, dwLanguageId);
    ipcbus_shim_int(&c, 1);
    DWORD units = 0;
    if (ipcbus_shim_invoke(&c) && c.value != 0 && c.nreplies > 0) {
        units = c.reply_len[0] / 2;
        if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
            wchar_t *text = ipcbus_shim_local_text(c.reply_blob[0], c.reply_len[0]);
            *(wchar_t **) lpBuffer = text;
            if (text == NULL) {
                units = 0;
                c.last_error = SHIM_ERROR_NOT_ENOUGH_MEMORY;
            }
        } else if (nSize < units + 1) {
            units = 0;
            c.last_error = SHIM_ERROR_INSUFFICIENT_BUFFER;
        } else {
            for (DWORD i = 0; i < units; i++) lpBuffer[i] = (wchar_t) get16(c.reply_blob[0] + 2 * i);
            lpBuffer[units] = 0;
        }
    }
    SHIM_RETURN(&c, units);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* ReadFile, WriteFile, overlapped I/O.                                                                             */

/* OVERLAPPED as Win64 lays it out (and Linux x86_64 C lays out the same). */
typedef struct {
    uint64_t Internal;
    uint64_t InternalHigh;
    uint32_t Offset;
    uint32_t OffsetHigh;
    HANDLE hEvent;
} shim_overlapped_t;

/* One caller OVERLAPPED and the bridge-side OVERLAPPED its I/O runs on. */
typedef struct ov_entry {
    struct ov_entry *next;
    shim_overlapped_t *caller;
    int64_t remote;            /* the bridge's OVERLAPPED */
    HANDLE event;              /* the hEvent the remote one was made with */
    HANDLE file;
    uint8_t *buffer;
    uint32_t length;
    int is_read;
    int pending;
    uint64_t checksum;         /* of the write buffer at issue */
    BOOL result;               /* of an I/O that completed at issue */
    uint32_t error;
} ov_entry_t;

static ov_entry_t *g_overlapped;
static pthread_mutex_t g_overlapped_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t checksum(const uint8_t *p, uint32_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static uint8_t canary(uint32_t i) {
    return (uint8_t) (0xC3 ^ (i * 0x9D));
}

static ov_entry_t *find_overlapped(const void *caller) {
    pthread_mutex_lock(&g_overlapped_lock);
    ov_entry_t *e = g_overlapped;
    while (e != NULL && e->caller != caller) e = e->next;
    pthread_mutex_unlock(&g_overlapped_lock);
    return e;
}

static void free_remote(int64_t remote) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "FreeOverlapped", 0);
    ipcbus_shim_int(&c, remote);
    ipcbus_shim_invoke(&c);
    ipcbus_shim_end(&c);
}

/* Drops the entries of a closed handle whose I/O is over (a pending one keeps its remote OVERLAPPED, which Wine may
   still write when the cancelled I/O completes). */
static void release_overlapped_of(HANDLE h) {
    pthread_mutex_lock(&g_overlapped_lock);
    ov_entry_t **at = &g_overlapped, *dropped = NULL;
    while (*at != NULL) {
        ov_entry_t *e = *at;
        if (e->file == h && !e->pending) {
            *at = e->next;
            e->next = dropped;
            dropped = e;
        } else {
            at = &e->next;
        }
    }
    pthread_mutex_unlock(&g_overlapped_lock);
    while (dropped != NULL) {
        ov_entry_t *next = dropped->next;
        free_remote(dropped->remote);
        free(dropped);
        dropped = next;
    }
}

/* Checks a completed I/O's buffer and delivers a read's bytes into it. */
static void complete_io(ov_entry_t *e, const uint8_t *data, uint32_t length) {
    if (e->is_read) {
        for (uint32_t i = 0; i < e->length; i++) {
            if (e->buffer[i] != canary(i)) {
                ipcbus_shim_violation("overlapped ReadFile buffer %p (%u bytes) was written or reused before the read "
                    "completed (byte %u changed): it must stay alive and untouched until completion", e->buffer,
                    e->length, i);
                break;
            }
        }
        if (data != NULL) memcpy(e->buffer, data, length < e->length ? length : e->length);
    } else if (checksum(e->buffer, e->length) != e->checksum) {
        ipcbus_shim_violation("overlapped WriteFile buffer %p (%u bytes) changed before the write completed: it must "
            "stay alive and unmoved until completion", e->buffer, e->length);
    }
    e->pending = 0;
}

/* Observes a pending I/O without waiting (for a reissued OVERLAPPED); 1 if it is still pending. */
static int still_pending(ov_entry_t *e) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetOverlappedResult", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(e->file));
    ipcbus_shim_int(&c, e->remote);
    ipcbus_shim_int(&c, 0);
    int pending = 1;
    if (ipcbus_shim_invoke(&c) && !(c.value == 0 && c.last_error == ERROR_IO_INCOMPLETE)) {
        complete_io(e, c.nreplies > 0 ? c.reply_blob[0] : NULL, c.nreplies > 0 ? c.reply_len[0] : 0);
        pending = 0;
    }
    ipcbus_shim_end(&c);
    return pending;
}

/* The entry for an I/O about to be issued on lpOverlapped, with a remote OVERLAPPED for its hEvent; NULL (last error
   set) if the OVERLAPPED is still in use. */
static ov_entry_t *issue_overlapped(shim_overlapped_t *ov, HANDLE file) {
    ov_entry_t *e = find_overlapped(ov);
    if (e != NULL && e->pending && still_pending(e)) {
        ipcbus_shim_violation("OVERLAPPED %p reused while its I/O is still pending", (void *) ov);
        ipcbus_shim_set_last_error(SHIM_ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (e == NULL) {
        e = (ov_entry_t *) calloc(1, sizeof(*e));
        e->caller = ov;
        pthread_mutex_lock(&g_overlapped_lock);
        e->next = g_overlapped;
        g_overlapped = e;
        pthread_mutex_unlock(&g_overlapped_lock);
    }
    if (e->remote == 0 || e->event != ov->hEvent) {
        if (e->remote != 0) free_remote(e->remote);
        shim_call_t c;
        ipcbus_shim_begin(&c, "AllocateOverlapped", 0);
        ipcbus_shim_int(&c, HANDLE_ARG(ov->hEvent));
        ipcbus_shim_invoke(&c);
        e->remote = c.value;
        e->event = ov->hEvent;
        uint32_t error = c.last_error;
        ipcbus_shim_end(&c);
        if (e->remote == 0) {
            ipcbus_shim_set_last_error(error ? error : SHIM_ERROR_NOT_ENOUGH_MEMORY);
            return NULL;
        }
    }
    e->file = file;
    return e;
}

/* Records an issued I/O's outcome in the entry and the caller's OVERLAPPED. */
static void issued(ov_entry_t *e, shim_call_t *c) {
    e->caller->Internal = (uint64_t) c->outs[0];
    e->caller->InternalHigh = (uint64_t) c->outs[1];
    e->pending = c->value == 0 && c->last_error == ERROR_IO_PENDING;
    e->result = c->value != 0;
    e->error = c->last_error;
}

SHIM_EXPORT BOOL WriteFile(HANDLE hFile, const void *lpBuffer, DWORD nNumberOfBytesToWrite,
    DWORD *lpNumberOfBytesWritten, void *lpOverlapped) {
    shim_call_t c;
    if (lpOverlapped == NULL) {
        ipcbus_shim_begin(&c, "WriteFile", 0);
        ipcbus_shim_int(&c, HANDLE_ARG(hFile));
        ipcbus_shim_blob(&c, lpBuffer, nNumberOfBytesToWrite);
        if (ipcbus_shim_invoke(&c) && lpNumberOfBytesWritten != NULL) *lpNumberOfBytesWritten = (DWORD) c.outs[0];
        SHIM_RETURN(&c, c.value != 0);
    }
    ov_entry_t *e = issue_overlapped((shim_overlapped_t *) lpOverlapped, hFile);
    if (e == NULL) return 0;
    e->buffer = (uint8_t *) lpBuffer;
    e->length = nNumberOfBytesToWrite;
    e->is_read = 0;
    e->checksum = checksum(e->buffer, e->length);
    ipcbus_shim_begin(&c, "WriteFileOverlapped", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hFile));
    ipcbus_shim_int(&c, e->remote);
    ipcbus_shim_blob(&c, lpBuffer, nNumberOfBytesToWrite);
    if (ipcbus_shim_invoke(&c)) {
        issued(e, &c);
        if (c.value != 0 && lpNumberOfBytesWritten != NULL) *lpNumberOfBytesWritten = (DWORD) c.outs[1];
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL ReadFile(HANDLE hFile, void *lpBuffer, DWORD nNumberOfBytesToRead, DWORD *lpNumberOfBytesRead,
    void *lpOverlapped) {
    shim_call_t c;
    if (lpOverlapped == NULL) {
        ipcbus_shim_begin(&c, "ReadFile", 0);
        ipcbus_shim_int(&c, HANDLE_ARG(hFile));
        ipcbus_shim_int(&c, nNumberOfBytesToRead);
        if (ipcbus_shim_invoke(&c)) {
            uint32_t got = c.nreplies > 0 ? c.reply_len[0] : 0;
            if (got > nNumberOfBytesToRead) got = nNumberOfBytesToRead;
            if (got > 0) memcpy(lpBuffer, c.reply_blob[0], got);
            if (lpNumberOfBytesRead != NULL) *lpNumberOfBytesRead = (DWORD) c.outs[0];
        }
        SHIM_RETURN(&c, c.value != 0);
    }
    ov_entry_t *e = issue_overlapped((shim_overlapped_t *) lpOverlapped, hFile);
    if (e == NULL) return 0;
    e->buffer = (uint8_t *) lpBuffer;
    e->length = nNumberOfBytesToRead;
    e->is_read = 1;
    for (uint32_t i = 0; i < nNumberOfBytesToRead; i++) e->buffer[i] = canary(i);
    ipcbus_shim_begin(&c, "ReadFileOverlapped", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hFile));
    ipcbus_shim_int(&c, e->remote);
    ipcbus_shim_int(&c, nNumberOfBytesToRead);
    if (ipcbus_shim_invoke(&c)) {
        issued(e, &c);
        if (!e->pending && c.nreplies > 0) {
            complete_io(e, c.reply_blob[0], c.reply_len[0]);
            if (lpNumberOfBytesRead != NULL) *lpNumberOfBytesRead = (DWORD) c.outs[1];
        }
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL GetOverlappedResult(HANDLE hFile, void *lpOverlapped, DWORD *lpNumberOfBytesTransferred,
    BOOL bWait) {
    shim_overlapped_t *ov = (shim_overlapped_t *) lpOverlapped;
    ov_entry_t *e = find_overlapped(ov);
    if (e == NULL) {
        ipcbus_shim_violation("GetOverlappedResult on OVERLAPPED %p, which no ReadFile/WriteFile was issued with",
            lpOverlapped);
        ipcbus_shim_set_last_error(SHIM_ERROR_INVALID_PARAMETER);
        return 0;
    }
    if (!e->pending) {
        /* completed at issue, or observed before: the OVERLAPPED holds the outcome, as on Windows */
        if (lpNumberOfBytesTransferred != NULL) *lpNumberOfBytesTransferred = (DWORD) ov->InternalHigh;
        ipcbus_shim_set_last_error(e->error);
        return e->result;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "GetOverlappedResult", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hFile));
    ipcbus_shim_int(&c, e->remote);
    ipcbus_shim_int(&c, bWait);
    if (ipcbus_shim_invoke(&c)) {
        ov->Internal = (uint64_t) c.outs[1];
        ov->InternalHigh = (uint64_t) c.outs[2];
        if (!(c.value == 0 && c.last_error == ERROR_IO_INCOMPLETE)) {
            complete_io(e, c.nreplies > 0 ? c.reply_blob[0] : NULL, c.nreplies > 0 ? c.reply_len[0] : 0);
            e->result = c.value != 0;
            e->error = c.last_error;
        }
        if (lpNumberOfBytesTransferred != NULL) *lpNumberOfBytesTransferred = (DWORD) c.outs[0];
    }
    SHIM_RETURN(&c, c.value != 0);
}

SHIM_EXPORT BOOL CancelIoEx(HANDLE hFile, void *lpOverlapped) {
    int64_t remote = 0;
    if (lpOverlapped != NULL) {
        ov_entry_t *e = find_overlapped(lpOverlapped);
        if (e == NULL || !e->pending) {
            ipcbus_shim_set_last_error(ERROR_NOT_FOUND);
            return 0;
        }
        remote = e->remote;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "CancelIoEx", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hFile));
    ipcbus_shim_int(&c, remote);
    ipcbus_shim_invoke(&c);
    SHIM_RETURN(&c, c.value != 0);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* File mappings: backing files in the session's /dev/shm directory.                                                */

typedef struct map_entry {
    struct map_entry *next;
    HANDLE handle;             /* a mapping handle; NULL for a view */
    void *address;             /* a view: its address here */
    size_t length;
    int64_t remote;            /* a view: its address in the bridge */
    char *path;                /* the backing file (named objects) */
    int fd;                    /* unnamed objects: the open, unlinked backing file */
    uint8_t *name;             /* UTF-16LE name, NULL if unnamed */
    uint32_t name_length;
} map_entry_t;

static map_entry_t *g_maps;
static pthread_mutex_t g_maps_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long g_unnamed;

/* Appends the UTF-8 of a code point, percent-encoded as Java's URLEncoder does (WineFileMappings' file names). */
static size_t url_encode(char *out, uint32_t cp) {
    uint8_t utf8[4];
    size_t n;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '.' || cp == '-'
            || cp == '*' || cp == '_') {
            out[0] = (char) cp;
            return 1;
        }
        if (cp == ' ') {
            out[0] = '+';
            return 1;
        }
        utf8[0] = (uint8_t) cp;
        n = 1;
    } else if (cp < 0x800) {
        utf8[0] = (uint8_t) (0xC0 | (cp >> 6));
        utf8[1] = (uint8_t) (0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        utf8[0] = (uint8_t) (0xE0 | (cp >> 12));
        utf8[1] = (uint8_t) (0x80 | ((cp >> 6) & 0x3F));
        utf8[2] = (uint8_t) (0x80 | (cp & 0x3F));
        n = 3;
    } else {
        utf8[0] = (uint8_t) (0xF0 | (cp >> 18));
        utf8[1] = (uint8_t) (0x80 | ((cp >> 12) & 0x3F));
        utf8[2] = (uint8_t) (0x80 | ((cp >> 6) & 0x3F));
        utf8[3] = (uint8_t) (0x80 | (cp & 0x3F));
        n = 4;
    }
    for (size_t i = 0; i < n; i++) sprintf(out + 3 * i, "%%%02X", utf8[i]);
    return 3 * n;
}

/* The backing file of a named object: the session's shm directory / the URL-encoded name. */
static char *backing_path(const uint8_t *name, uint32_t length) {
    size_t room = strlen(g.shm) + 2 + 12 * (length / 2) + 1;
    char *path = (char *) malloc(room);
    size_t at = (size_t) sprintf(path, "%s/", g.shm);
    for (uint32_t i = 0; i + 1 < length; i += 2) {
        uint32_t cp = get16(name + i);
        if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < length && get16(name + i + 2) >= 0xDC00
            && get16(name + i + 2) < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (get16(name + i + 2) - 0xDC00);
            i += 2;
        }
        at += url_encode(path + at, cp);
    }
    path[at] = 0;
    return path;
}

/* The Wine path of a Linux path, through the Z: drive, as a UTF-16LE blob of the call. */
static void windows_path_blob(shim_call_t *c, const char *path) {
    size_t n = strlen(path);
    uint8_t *bytes = (uint8_t *) malloc(2 * (n + 2));
    put16(bytes, 'Z');
    put16(bytes + 2, ':');
    for (size_t i = 0; i < n; i++) put16(bytes + 4 + 2 * i, (uint16_t) (path[i] == '/' ? '\\' : (uint8_t) path[i]));
    c->owned[c->nowned++] = bytes;
    ipcbus_shim_blob(c, bytes, (uint32_t) (2 * (n + 2)));
}

static void shm_lock(void) {
    pthread_mutex_lock(&g.shm_lock);
    if (g.shm_fd >= 0) while (flock(g.shm_fd, LOCK_EX) < 0 && errno == EINTR) { }
}

static void shm_unlock(void) {
    if (g.shm_fd >= 0) flock(g.shm_fd, LOCK_UN);
    pthread_mutex_unlock(&g.shm_lock);
}

/* Whether a mapping of that name exists in Wine (some process holds a handle or view); call under shm_lock. */
static int name_exists(const uint8_t *name, uint32_t length) {
    shim_call_t c;
    ipcbus_shim_begin(&c, "OpenFileMappingW", 0);
    ipcbus_shim_int(&c, FILE_MAP_READ);
    ipcbus_shim_blob(&c, name, length);
    int exists = 1;
    if (ipcbus_shim_invoke(&c)) {
        if (c.value != 0) {
            shim_call_t close_call;
            ipcbus_shim_begin(&close_call, "CloseHandle", 0);
            ipcbus_shim_int(&close_call, c.value);
            ipcbus_shim_invoke(&close_call);
            ipcbus_shim_end(&close_call);
        } else {
            exists = c.last_error != ERROR_FILE_NOT_FOUND;
        }
    }
    ipcbus_shim_end(&c);
    return exists;
}

/* Deletes a name's backing file once the name is gone in Wine. */
static void release_name(const uint8_t *name, uint32_t length, const char *path) {
    shm_lock();
    if (!name_exists(name, length)) unlink(path);
    shm_unlock();
}

static void add_map(map_entry_t *m) {
    pthread_mutex_lock(&g_maps_lock);
    m->next = g_maps;
    g_maps = m;
    pthread_mutex_unlock(&g_maps_lock);
}

/* Removes and returns the entry of a mapping handle (address NULL) or a view (handle NULL). */
static map_entry_t *take_map(HANDLE handle, const void *address) {
    pthread_mutex_lock(&g_maps_lock);
    map_entry_t **at = &g_maps;
    while (*at != NULL && !(handle != NULL ? (*at)->handle == handle : (*at)->address == address)) at = &(*at)->next;
    map_entry_t *m = *at;
    if (m != NULL) *at = m->next;
    pthread_mutex_unlock(&g_maps_lock);
    return m;
}

static map_entry_t *new_map(HANDLE handle, const uint8_t *name, uint32_t length, const char *path, int fd) {
    map_entry_t *m = (map_entry_t *) calloc(1, sizeof(*m));
    m->handle = handle;
    m->fd = fd;
    m->path = path != NULL ? strdup(path) : NULL;
    if (name != NULL) {
        m->name = (uint8_t *) malloc(length ? length : 1);
        memcpy(m->name, name, length);
        m->name_length = length;
    }
    return m;
}

static void free_map(map_entry_t *m) {
    if (m->handle != NULL && m->fd >= 0) close(m->fd);
    free(m->path);
    free(m->name);
    free(m);
}

static void release_mapping_handle(HANDLE h) {
    map_entry_t *m = take_map(h, NULL);
    if (m == NULL) return;
    if (m->name != NULL) release_name(m->name, m->name_length, m->path);
    free_map(m);
}

SHIM_EXPORT HANDLE CreateFileMappingW(HANDLE hFile, const void *lpFileMappingAttributes, DWORD flProtect,
    DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow, const wchar_t *lpName) {
    if (hFile != SHIM_INVALID_HANDLE) {
        report("CreateFileMappingW on a file handle is not supported by the shim (only INVALID_HANDLE_VALUE)");
        ipcbus_shim_set_last_error(SHIM_ERROR_NOT_SUPPORTED);
        return NULL;
    }
    if (!ensure_bridge()) {
        ipcbus_shim_set_last_error(SHIM_ERROR_BAD_ENVIRONMENT);
        return NULL;
    }
    shim_call_t c;
    ipcbus_shim_begin(&c, "CreateFileMappingW", 0);
    ipcbus_shim_int(&c, flProtect);
    ipcbus_shim_int(&c, (int64_t) (((uint64_t) dwMaximumSizeHigh << 32) | dwMaximumSizeLow));
    ipcbus_shim_int(&c, SECURITY_FORMAT_DESCRIPTOR);
    ipcbus_shim_wide(&c, lpName);
    const uint8_t *name = lpName != NULL ? (const uint8_t *) c.blob[0] : NULL;
    uint32_t name_length = c.blob_len[0];
    security_blob(&c, lpFileMappingAttributes);
    char *path;
    int fd = -1;
    if (name != NULL) {
        path = backing_path(name, name_length);
    } else {
        path = (char *) malloc(strlen(g.shm) + 64);
        sprintf(path, "%s/unnamed-%d-%ld", g.shm, (int) getpid(), atomic_fetch_add(&g_unnamed, 1));
    }
    windows_path_blob(&c, path);
    shm_lock();
    int existed = name != NULL && name_exists(name, name_length);
    if (!existed) {
        /* a new object is zero-filled: a file left by a process that was killed must not show through */
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0 && ftruncate(fd, 0) != 0) {
            report("cannot truncate %s: %s", path, strerror(errno));
        }
    }
    HANDLE h = NULL;
    if (ipcbus_shim_invoke(&c) && c.value != 0) {
        h = AS_HANDLE(c.value);
    } else if (!existed) {
        unlink(path);
    }
    shm_unlock();
    if (h != NULL) {
        if (name == NULL) {
            unlink(path); /* the bridge's mapping and our fd keep the file */
        } else if (fd >= 0) {
            close(fd);
            fd = -1;
        }
        add_map(new_map(h, name, name_length, name != NULL ? path : NULL, fd));
    } else if (fd >= 0) {
        close(fd);
    }
    free(path);
    SHIM_RETURN(&c, h);
}

SHIM_EXPORT HANDLE OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, const wchar_t *lpName) {
    (void) bInheritHandle;
    shim_call_t c;
    ipcbus_shim_begin(&c, "OpenFileMappingW", 0);
    ipcbus_shim_int(&c, dwDesiredAccess);
    ipcbus_shim_wide(&c, lpName);
    HANDLE h = NULL;
    if (ipcbus_shim_invoke(&c) && c.value != 0) {
        h = AS_HANDLE(c.value);
        char *path = backing_path((const uint8_t *) c.blob[0], c.blob_len[0]);
        add_map(new_map(h, (const uint8_t *) c.blob[0], c.blob_len[0], path, -1));
        free(path);
    }
    SHIM_RETURN(&c, h);
}

SHIM_EXPORT void *MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh,
    DWORD dwFileOffsetLow, size_t dwNumberOfBytesToMap) {
    pthread_mutex_lock(&g_maps_lock);
    map_entry_t *m = g_maps;
    while (m != NULL && m->handle != hFileMappingObject) m = m->next;
    map_entry_t *view = m != NULL ? new_map(NULL, m->name, m->name_length, m->path, -1) : NULL;
    int fd = m != NULL && m->fd >= 0 ? dup(m->fd) : -1;
    pthread_mutex_unlock(&g_maps_lock);
    if (view == NULL) {
        report("MapViewOfFile(%p): not a mapping handle of this process's CreateFileMappingW/OpenFileMappingW",
            hFileMappingObject);
        ipcbus_shim_set_last_error(SHIM_ERROR_INVALID_HANDLE);
        return NULL;
    }
    uint64_t offset = ((uint64_t) dwFileOffsetHigh << 32) | dwFileOffsetLow;
    shim_call_t c;
    ipcbus_shim_begin(&c, "MapViewOfFile", 0);
    ipcbus_shim_int(&c, HANDLE_ARG(hFileMappingObject));
    ipcbus_shim_int(&c, dwDesiredAccess);
    ipcbus_shim_int(&c, (int64_t) offset);
    ipcbus_shim_int(&c, (int64_t) dwNumberOfBytesToMap);
    void *address = NULL;
    if (ipcbus_shim_invoke(&c) && c.value != 0) {
        /* Wine mapped it: map the same bytes here */
        if (fd < 0) fd = open(view->path, O_RDWR | O_CLOEXEC);
        struct stat st;
        size_t length = dwNumberOfBytesToMap;
        if (length == 0 && fd >= 0 && fstat(fd, &st) == 0) length = (size_t) st.st_size - offset;
        int writable = (dwDesiredAccess & FILE_MAP_WRITE) != 0;
        int flags = (dwDesiredAccess & FILE_MAP_COPY) && !writable ? MAP_PRIVATE : MAP_SHARED;
        void *mapped = fd < 0 ? MAP_FAILED : mmap(NULL, length, PROT_READ | (writable || flags == MAP_PRIVATE
            ? PROT_WRITE : 0), flags, fd, (off_t) offset);
        if (mapped == MAP_FAILED) {
            report("cannot map the backing file %s here: %s", view->path != NULL ? view->path : "(unnamed)",
                strerror(errno));
            shim_call_t undo;
            ipcbus_shim_begin(&undo, "UnmapViewOfFile", 0);
            ipcbus_shim_int(&undo, c.value);
            ipcbus_shim_invoke(&undo);
            ipcbus_shim_end(&undo);
            c.last_error = SHIM_ERROR_NOT_ENOUGH_MEMORY;
        } else {
            address = mapped;
            view->address = mapped;
            view->length = length;
            view->remote = c.value;
            add_map(view);
            view = NULL;
        }
    }
    if (fd >= 0) close(fd);
    if (view != NULL) free_map(view);
    SHIM_RETURN(&c, address);
}

SHIM_EXPORT BOOL UnmapViewOfFile(const void *lpBaseAddress) {
    map_entry_t *view = take_map(NULL, lpBaseAddress);
    if (view == NULL) {
        ipcbus_shim_set_last_error(ERROR_INVALID_ADDRESS);
        return 0;
    }
    munmap(view->address, view->length);
    shim_call_t c;
    ipcbus_shim_begin(&c, "UnmapViewOfFile", 0);
    ipcbus_shim_int(&c, view->remote);
    ipcbus_shim_invoke(&c);
    if (view->name != NULL) release_name(view->name, view->name_length, view->path);
    free_map(view);
    SHIM_RETURN(&c, c.value != 0);
}
