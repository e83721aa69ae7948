/* SPDX-License-Identifier: Apache-2.0 */
/*
 * win32shim.h: what libkernel32.so (win32shim.c) shares with libadvapi32.so (win32shim_advapi32.c).
 *
 * The two libraries stand in for kernel32.dll and advapi32.dll when JNA loads the production binding on Linux (JNA
 * maps "kernel32" to libkernel32.so). Each export has the Win32 name and the Win64 C signature; it forwards the call to
 * this process's Wine bridge (win32bridge.c) and converts what differs between the ABIs. libadvapi32.so links against
 * libkernel32.so, so both use the one bridge of the process: handles belong to one Windows process.
 *
 * Win64 types as Linux x86_64 C sees them: DWORD/BOOL/LONG are 4 bytes (never C long, 8 bytes here), pointers and
 * HANDLEs 8, WCHAR from Java is wchar_t (UTF-32 here, UTF-16 for Wine).
 */
#ifndef IPCBUS_WIN32SHIM_H
#define IPCBUS_WIN32SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

typedef int32_t BOOL;
typedef uint32_t DWORD;
typedef void *HANDLE;
typedef void *PSID;
typedef void *PSECURITY_DESCRIPTOR;
typedef void *PACL;

#define SHIM_INVALID_HANDLE ((HANDLE) (intptr_t) -1)

/* Win32 error codes the shim itself reports. */
#define SHIM_ERROR_INVALID_HANDLE 6
#define SHIM_ERROR_NOT_ENOUGH_MEMORY 8
#define SHIM_ERROR_BAD_ENVIRONMENT 10
#define SHIM_ERROR_NOT_SUPPORTED 50
#define SHIM_ERROR_INVALID_PARAMETER 87
#define SHIM_ERROR_INSUFFICIENT_BUFFER 122
#define SHIM_ERROR_INVALID_SECURITY_DESCR 1338

#define SHIM_MAX_INTS 16
#define SHIM_MAX_BLOBS 8

/* One bridge call: the request built with shim_int/shim_blob/shim_wide, then shim_invoke fills the reply. */
typedef struct {
    const char *name;
    int nints;
    int64_t ints[SHIM_MAX_INTS];
    int nblobs;
    const void *blob[SHIM_MAX_BLOBS];
    uint32_t blob_len[SHIM_MAX_BLOBS];
    void *owned[SHIM_MAX_BLOBS];
    int nowned;
    /* reply */
    int64_t value;
    uint32_t last_error;
    int nouts;
    int64_t outs[SHIM_MAX_INTS];
    int nreplies;
    const uint8_t *reply_blob[SHIM_MAX_BLOBS];
    uint32_t reply_len[SHIM_MAX_BLOBS];
    uint8_t *reply_buffer;
} shim_call_t;

/* Starts a call; failure_value is the value the function returns if the bridge cannot be reached. */
SHIM_EXPORT void ipcbus_shim_begin(shim_call_t *c, const char *name, int64_t failure_value);
SHIM_EXPORT void ipcbus_shim_int(shim_call_t *c, int64_t value);
SHIM_EXPORT void ipcbus_shim_blob(shim_call_t *c, const void *data, uint32_t length);
/* A wide string argument (UTF-32 wchar_t, NUL-terminated, or NULL) as UTF-16LE; NULL travels as an empty blob. */
SHIM_EXPORT void ipcbus_shim_wide(shim_call_t *c, const wchar_t *text);
/* Makes the call on this thread's connection; 1 if the bridge replied, else 0 (value = failure value, last_error
   set, the cause on stderr). */
SHIM_EXPORT int ipcbus_shim_invoke(shim_call_t *c);
/* Frees the call's memory; never touches errno. */
SHIM_EXPORT void ipcbus_shim_end(shim_call_t *c);
/* The calling thread's last error: GetLastError() and errno (what JNA's Native.getLastError() reads on Linux). Call
   it last, after everything that might change errno. */
SHIM_EXPORT void ipcbus_shim_set_last_error(uint32_t code);
/* A reply blob that is UTF-16LE text, as a wchar_t string in memory LocalFree frees; NULL if out of memory. */
SHIM_EXPORT wchar_t *ipcbus_shim_local_text(const uint8_t *utf16, uint32_t length);
/* Memory LocalFree frees (zero-filled). */
SHIM_EXPORT void *ipcbus_shim_local_alloc(size_t size);
/* The length of a self-relative security descriptor, from its own fields; 0 if it is not self-relative. */
SHIM_EXPORT uint32_t ipcbus_shim_descriptor_length(const void *sd);
/* Reports a use of the binding that Windows would not survive (a buffer freed or moved during overlapped I/O, ...):
   a message on stderr and the violation counter, or abort() if nobody watches the counter. */
SHIM_EXPORT void ipcbus_shim_violation(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Ends an export: frees the call, sets the last error, returns the value (in that order, so nothing overwrites errno
   between the call and the return). */
#define SHIM_RETURN(c, result) do { \
        uint32_t shim_error_ = (c)->last_error; \
        __typeof__(result) shim_result_ = (result); \
        ipcbus_shim_end(c); \
        ipcbus_shim_set_last_error(shim_error_); \
        return shim_result_; \
    } while (0)

#endif
