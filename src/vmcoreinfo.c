// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vmcoreinfo.h"

/* At most this many lines are kept: the kernel writes about 150. */
enum { MAX_LINES = 4096 };

struct sd_error *sd_vmcoreinfo_parse(const char *text, size_t len, struct sd_vmcoreinfo *ret)
{
	if (len > SD_VMCOREINFO_MAX)
		return sd_error_create(SD_ERROR_INPUT, "VMCOREINFO is %zu bytes, more than %d", len,
				       SD_VMCOREINFO_MAX);
	struct sd_vmcoreinfo vi = {0};
	vi.raw = strndup(text, len);
	if (!vi.raw)
		return &sd_enomem;
	vi.raw_len = strlen(vi.raw);
	char *copy = strdup(vi.raw);
	if (!copy) {
		sd_vmcoreinfo_deinit(&vi);
		return &sd_enomem;
	}
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && vi.n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		struct sd_vmcoreinfo_line l = { strdup(line), strdup(eq + 1) };
		if (!l.key || !l.value || !sd_grow(&vi.lines, &vi.cap, vi.n + 1, sizeof(*vi.lines))) {
			free(l.key);
			free(l.value);
			free(copy);
			sd_vmcoreinfo_deinit(&vi);
			return &sd_enomem;
		}
		vi.lines[vi.n++] = l;
	}
	free(copy);
	*ret = vi;
	return NULL;
}

void sd_vmcoreinfo_deinit(struct sd_vmcoreinfo *vi)
{
	for (size_t i = 0; i < vi->n; i++) {
		free(vi->lines[i].key);
		free(vi->lines[i].value);
	}
	free(vi->lines);
	free(vi->raw);
	memset(vi, 0, sizeof(*vi));
}

const char *sd_vmcoreinfo_get(const struct sd_vmcoreinfo *vi, const char *key)
{
	for (size_t i = 0; i < vi->n; i++)
		if (strcmp(vi->lines[i].key, key) == 0)
			return vi->lines[i].value;
	return NULL;
}

bool sd_vmcoreinfo_hex(const struct sd_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	const char *v = sd_vmcoreinfo_get(vi, key);
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 16);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}

bool sd_vmcoreinfo_dec(const struct sd_vmcoreinfo *vi, const char *key, int64_t *ret)
{
	const char *v = sd_vmcoreinfo_get(vi, key);
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}

bool sd_vmcoreinfo_symbol(const struct sd_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	char key[128];
	if ((size_t)snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= sizeof(key))
		return false;
	return sd_vmcoreinfo_hex(vi, key, ret);
}
