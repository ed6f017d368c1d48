/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error objects. Every function that can fail returns a struct sd_error *;
 * NULL means success. Results come back through out-parameters named ret,
 * written only on success. Library code never prints: main() reports an
 * error once and maps its code to the exit status.
 */
#ifndef SAVEDUMP_ERROR_H
#define SAVEDUMP_ERROR_H

#include <stdbool.h>

enum sd_error_code {
	SD_ERROR_OTHER,		/* internal or operational failure */
	SD_ERROR_NOMEM,
	SD_ERROR_OS,		/* a system call failed; errnum is set */
	SD_ERROR_INPUT,		/* the dump is not usable: not a dump, truncated, corrupt */
	SD_ERROR_USAGE,		/* bad command line */
	SD_ERROR_EXISTS,	/* refusing to overwrite an existing output */
	SD_ERROR_LIBRARY,	/* an external library reported a failure */
};

struct sd_error {
	enum sd_error_code code;
	int errnum;
	bool needs_free;
	char *message;
};

/* Returned when allocating an error would itself fail; never freed. */
extern struct sd_error sd_enomem;

struct sd_error *sd_error_create(enum sd_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Message is "<fmt>: strerror(errnum)". */
struct sd_error *sd_error_errno(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix an existing error's message ("prefix: message"); consumes err. */
struct sd_error *sd_error_prefix(struct sd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sd_error_destroy(struct sd_error *err);

#endif
