/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers with no external dependencies: strings, paths, hex, arrays. */
#ifndef SAVEDUMP_UTIL_H
#define SAVEDUMP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* Longest path savedump accepts from a dump; longer ones are reported and skipped. */
enum { SD_PATH_MAX = 4096 };

/*
 * Grow *ptr (an array of elsize-byte elements with capacity *cap) to hold at
 * least need elements. Returns false on overflow or allocation failure.
 */
bool sd_grow(void *ptr, size_t *cap, size_t need, size_t elsize);

/*
 * Buffers of megabytes that are filled once (BTF, kallsyms names, a
 * decompressed module): mapped 2 MiB-aligned and advised for transparent huge
 * pages. The first touch of each 4 KiB page is a fault, and in a VM a fault
 * costs some 10 us: filling 6 MiB took 30-60 ms of faults here, in huge pages
 * about 1 ms. Below 1 MiB, and under the sanitizers (so that ASan still sees
 * their bounds), they are malloc()ed. Free them with sd_big_free() only.
 */
void *sd_big_alloc(size_t n);
/* Like realloc(): the first min(old, n) bytes are kept; NULL (p untouched) on failure. */
void *sd_big_realloc(void *p, size_t n);
void sd_big_free(void *p);
/* The bytes p can hold without moving: at least what was asked (a whole mapping's worth). */
size_t sd_big_capacity(const void *p);

/* Append a copy of s to a NULL-terminated string vector. */
struct sd_strv {
	char **v;
	size_t n, cap;
};
struct sd_error *sd_strv_add(struct sd_strv *sv, const char *s);
/* Append a formatted string. */
struct sd_error *sd_strv_addf(struct sd_strv *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool sd_strv_contains(const struct sd_strv *sv, const char *s);
void sd_strv_deinit(struct sd_strv *sv);

bool sd_str_has_suffix(const char *s, const char *suffix);
bool sd_str_has_prefix(const char *s, const char *prefix);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void sd_hex(const uint8_t *bytes, size_t len, char *out);
/* The value of one hex digit, or -1. */
int sd_hexval(char c);
/* Parse lower/upper-case hex; returns false on bad input or if more than cap bytes. */
bool sd_unhex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len);

/*
 * Normalise an absolute path lexically: collapse "//", drop ".", resolve ".."
 * without ever climbing above "/". The result is absolute and has no trailing
 * slash (except "/" itself). Rejects relative, empty and over-long paths
 * (SD_ERROR_INPUT).
 */
struct sd_error *sd_path_normalize(const char *path, char **ret);

/* The path of target relative to the directory holding link (both relative, normalised). */
struct sd_error *sd_path_relative(const char *link, const char *target, char **ret);

/* dirname/basename that return pointers into or copies of the string, never modify it. */
char *sd_dirname(const char *path);
const char *sd_basename(const char *path);

/* The archive path of a normalised absolute path ("/usr/bin/x" -> "usr/bin/x"). */
const char *sd_archive_path_of(const char *abs_path);

/* Join a and b with exactly one '/' between them. */
char *sd_path_join(const char *a, const char *b);

/* Read a whole small file (at most max bytes) into a NUL-terminated buffer. */
struct sd_error *sd_read_small_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* read() that retries on EINTR and short reads; returns bytes read (short only at EOF) or -1. */
ssize_t sd_read_full(int fd, void *buf, size_t len);
/* pread() that retries on EINTR and short reads; returns bytes read or -1. */
ssize_t sd_pread_full(int fd, void *buf, size_t len, off_t off);
/* write() the whole buffer; returns false with errno set on failure. */
bool sd_write_full(int fd, const void *buf, size_t len);
/* The same with pwrite() at off. */
bool sd_pwrite_full(int fd, const void *buf, size_t len, off_t off);

/*
 * Whether fd's first bytes say it is compressed already (kdump-compressed,
 * xz, zstd, gzip, bzip2, a bzImage): such data is stored, not recompressed.
 */
bool sd_fd_is_compressed(int fd);

/* Length of the well-formed UTF-8 sequence at p (NUL-terminated), 0 if none starts there. */
size_t sd_utf8_len(const unsigned char *p);

/*
 * Write s for a human's terminal: control characters, bytes that are not
 * UTF-8 (\xNN) and the format controls that move or reorder text (\uNNNN)
 * are escaped, a backslash is doubled. For every dump-derived string.
 */
void sd_fputs_printable(const char *s, FILE *f);

#endif
