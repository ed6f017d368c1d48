// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "debuginfod.h"

#ifdef HAVE_DEBUGINFOD
#include <elfutils/debuginfod.h>

struct sd_debuginfod {
	debuginfod_client *client;
};

bool sd_debuginfod_compiled_in(void)
{
	return true;
}

struct sd_debuginfod *sd_debuginfod_create(void)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (!urls || !*urls)
		return NULL;
	/*
	 * /proc/vmcore exists only in a kdump capture kernel: no network there
	 * as a rule, little memory, and a reboot waiting on us; a fetch would
	 * only stall (90 s per server) before failing.
	 */
	if (access("/proc/vmcore", F_OK) == 0)
		return NULL;
	struct sd_debuginfod *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->client = debuginfod_begin();
	if (!d->client) {
		free(d);
		return NULL;
	}
	return d;
}

void sd_debuginfod_destroy(struct sd_debuginfod *d)
{
	if (!d)
		return;
	debuginfod_end(d->client);
	free(d);
}

int sd_debuginfod_find(struct sd_debuginfod *d, enum sd_debuginfod_kind kind,
		       const struct sd_build_id *id, char **ret_path)
{
	if (!d || !id->len)
		return -ENOSYS;
	if (kind == SD_DEBUGINFOD_EXECUTABLE)
		return debuginfod_find_executable(d->client, id->bytes, (int)id->len, ret_path);
	return debuginfod_find_debuginfo(d->client, id->bytes, (int)id->len, ret_path);
}

int sd_debuginfod_find_source(struct sd_debuginfod *d, const struct sd_build_id *id,
			      const char *path, char **ret_path)
{
	if (!d || !id->len || path[0] != '/')
		return -ENOSYS;
	return debuginfod_find_source(d->client, id->bytes, (int)id->len, path, ret_path);
}
#else
struct sd_debuginfod {
	int unused;
};

bool sd_debuginfod_compiled_in(void)
{
	return false;
}

struct sd_debuginfod *sd_debuginfod_create(void)
{
	return NULL;
}

void sd_debuginfod_destroy(struct sd_debuginfod *d)
{
}

int sd_debuginfod_find(struct sd_debuginfod *d, enum sd_debuginfod_kind kind,
		       const struct sd_build_id *id, char **ret_path)
{
	return -ENOSYS;
}

int sd_debuginfod_find_source(struct sd_debuginfod *d, const struct sd_build_id *id,
			      const char *path, char **ret_path)
{
	return -ENOSYS;
}
#endif
