// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct sd_error sd_enomem = {
	.code = SD_ERROR_NOMEM,
	.errnum = ENOMEM,
	.message = (char *)"out of memory",
};

__attribute__((format(printf, 3, 0)))
static struct sd_error *error_vcreate(enum sd_error_code code, int errnum, const char *fmt,
				      va_list ap)
{
	struct sd_error *err = malloc(sizeof(*err));
	if (!err)
		return &sd_enomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &sd_enomem;
	}
	if (errnum) {
		char *with;
		if (asprintf(&with, "%s: %s", err->message, strerror(errnum)) < 0) {
			free(err->message);
			free(err);
			return &sd_enomem;
		}
		free(err->message);
		err->message = with;
	}
	err->code = code;
	err->errnum = errnum;
	err->needs_free = true;
	return err;
}

struct sd_error *sd_error_create(enum sd_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sd_error *err = error_vcreate(code, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct sd_error *sd_error_errno(int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sd_error *err = error_vcreate(errnum == ENOMEM ? SD_ERROR_NOMEM : SD_ERROR_OS,
					     errnum, fmt, ap);
	va_end(ap);
	return err;
}

struct sd_error *sd_error_prefix(struct sd_error *err, const char *fmt, ...)
{
	if (!err || err == &sd_enomem)
		return err;
	char *prefix, *msg;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (r < 0)
		return err;
	if (asprintf(&msg, "%s: %s", prefix, err->message) >= 0) {
		free(err->message);
		err->message = msg;
	}
	free(prefix);
	return err;
}

void sd_error_destroy(struct sd_error *err)
{
	if (err && err->needs_free) {
		free(err->message);
		free(err);
	}
}
