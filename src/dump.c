// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "dump.h"
#include "util.h"

struct probe {
	enum sd_dump_format format;
	const char *name;
	const char *magic;
	size_t len;
};

/* Signatures at offset 0, from makedumpfile's diskdump_mod.h and makedumpfile.h. */
static const struct probe probes[] = {
	{ SD_FORMAT_ELF, "elf", ELFMAG, SELFMAG },
	{ SD_FORMAT_KDUMP, "kdump-compressed", "KDUMP   ", 8 },
	{ SD_FORMAT_DISKDUMP, "diskdump", "DISKDUMP", 8 },
	{ SD_FORMAT_FLATTENED, "flattened", "makedumpfile", 12 },
};

const char *sd_dump_format_name(enum sd_dump_format format)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (probes[i].format == format)
			return probes[i].name;
	return "unknown";
}

struct sd_error *sd_dump_probe(int fd, const char *name, enum sd_dump_format *ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "%s", name);
	if (S_ISDIR(st.st_mode))
		return sd_error_create(SD_ERROR_INPUT, "%s: is a directory, not a dump", name);
	uint8_t head[16];
	ssize_t n = sd_pread_full(fd, head, sizeof(head), 0);
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	if (n == 0)
		return sd_error_create(SD_ERROR_INPUT, "%s: empty file, not a dump", name);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		if ((size_t)n >= probes[i].len && memcmp(head, probes[i].magic, probes[i].len) == 0) {
			*ret = probes[i].format;
			return NULL;
		}
	}
	return sd_error_create(SD_ERROR_INPUT,
			       "%s: not a core file or crash dump (unknown format)", name);
}
