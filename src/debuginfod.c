// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "debuginfod.h"

#ifdef HAVE_DEBUGINFOD
#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <pthread.h>

/*
 * libdebuginfod is opened when a client is wanted (DEBUGINFOD_URLS set), as
 * libdw itself does: linked, it brings libcurl and some 25 libraries (TLS,
 * Kerberos, LDAP, ...) into every run, and loading them was 20 of the 40 ms
 * that savedump took to start. Its header gives the types.
 */
#define DEBUGINFOD_SONAME "libdebuginfod.so.1"

static struct {
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_end) *end;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
	__typeof__(debuginfod_find_executable) *find_executable;
	__typeof__(debuginfod_find_source) *find_source;
	bool ok;
} lib;

static void lib_open(void)
{
	void *h = dlopen(DEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	lib.begin = (__typeof__(lib.begin))dlsym(h, "debuginfod_begin");
	lib.end = (__typeof__(lib.end))dlsym(h, "debuginfod_end");
	lib.find_debuginfo = (__typeof__(lib.find_debuginfo))dlsym(h, "debuginfod_find_debuginfo");
	lib.find_executable = (__typeof__(lib.find_executable))dlsym(h, "debuginfod_find_executable");
	lib.find_source = (__typeof__(lib.find_source))dlsym(h, "debuginfod_find_source");
	lib.ok = lib.begin && lib.end && lib.find_debuginfo && lib.find_executable &&
		 lib.find_source;
	/* Never closed: its atexit() and curl's global state stay valid to the end. */
}

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
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, lib_open);
	if (!lib.ok)
		return NULL;
	struct sd_debuginfod *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->client = lib.begin();
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
	lib.end(d->client);
	free(d);
}

int sd_debuginfod_find(struct sd_debuginfod *d, enum sd_debuginfod_kind kind,
		       const struct sd_build_id *id, char **ret_path)
{
	if (!d || !id->len)
		return -ENOSYS;
	if (kind == SD_DEBUGINFOD_EXECUTABLE)
		return lib.find_executable(d->client, id->bytes, (int)id->len, ret_path);
	return lib.find_debuginfo(d->client, id->bytes, (int)id->len, ret_path);
}

int sd_debuginfod_find_source(struct sd_debuginfod *d, const struct sd_build_id *id,
			      const char *path, char **ret_path)
{
	if (!d || !id->len || path[0] != '/')
		return -ENOSYS;
	return lib.find_source(d->client, id->bytes, (int)id->len, path, ret_path);
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
