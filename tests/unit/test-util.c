// SPDX-License-Identifier: GPL-2.0-or-later
/* Paths taken from dumps: normalisation and relative symlink targets. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

static void normalize(const char *in, const char *want)
{
	char *out = NULL;
	struct sd_error *err = sd_path_normalize(in, &out);
	char what[256];
	snprintf(what, sizeof(what), "normalize %.100s", in);
	if (!want) {
		ok(err != NULL && err->code == SD_ERROR_INPUT, "%s is rejected", what);
		sd_error_destroy(err);
		return;
	}
	is_str(err ? NULL : out, want, what);
	sd_error_destroy(err);
	free(out);
}

static void relative(const char *link, const char *target, const char *want)
{
	char *out = NULL;
	char what[256];
	snprintf(what, sizeof(what), "symlink %s -> %s", link, target);
	struct sd_error *err = sd_path_relative(link, target, &out);
	is_str(err ? NULL : out, want, what);
	free(out);
}

int main(void)
{
	normalize("/usr/lib/libc.so.6", "/usr/lib/libc.so.6");
	normalize("//usr///lib/./libc.so.6", "/usr/lib/libc.so.6");
	normalize("/usr/lib/../../../../etc/passwd", "/etc/passwd");
	normalize("/..", "/");
	normalize("/", "/");
	normalize("/a/b/", "/a/b");
	normalize("../../etc/passwd", NULL);
	normalize("", NULL);
	normalize("relative/path", NULL);
	char *longp = malloc(SD_PATH_MAX + 10);
	memset(longp, 'x', SD_PATH_MAX + 9);
	longp[0] = '/';
	longp[SD_PATH_MAX + 9] = '\0';
	normalize(longp, NULL);
	free(longp);

	relative("lib/x86_64-linux-gnu/libc.so.6", "usr/lib/x86_64-linux-gnu/libc.so.6",
		 "../../usr/lib/x86_64-linux-gnu/libc.so.6");
	relative("lib64/ld.so", "usr/lib/ld.so", "../usr/lib/ld.so");
	relative("usr/lib/debug/.build-id/ab/cdef", "usr/bin/prog", "../../../../bin/prog");
	relative("a", "b/c", "b/c");
	relative("usr/lib/a.so", "usr/lib/b.so", "b.so");

	uint8_t id[4];
	size_t n;
	ok(sd_unhex("deadBEEF", id, sizeof(id), &n) && n == 4 && id[0] == 0xde && id[3] == 0xef,
	   "unhex accepts mixed case");
	ok(!sd_unhex("abc", id, sizeof(id), &n), "unhex rejects odd length");
	ok(!sd_unhex("0011223344", id, sizeof(id), &n), "unhex rejects too long");
	ok(!sd_unhex("zz", id, sizeof(id), &n), "unhex rejects non-hex");
	return tap_done();
}
