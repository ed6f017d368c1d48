// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
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

/*
 * struct disk_dump_header (makedumpfile's diskdump_mod.h): signature[8],
 * header_version, utsname (6 x 65), struct timeval (8-aligned), status,
 * block_size, sub_hdr_size, bitmap_blocks, max_mapnr... in the dumped
 * machine's byte order. The header block, the sub-header and the two
 * bitmaps must all lie in the file before libkdumpfile is let near it.
 */
enum { KDUMP_BLOCK_SIZE_OFF = 428, KDUMP_HEADER_MIN = 448 };

static uint32_t get32(const uint8_t *p, bool big_endian)
{
	return big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
			  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static struct sd_error *check_kdump_header(int fd, const char *name, uint64_t file_size)
{
	uint8_t h[KDUMP_HEADER_MIN];
	ssize_t n = sd_pread_full(fd, h, sizeof(h), 0);
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	if ((size_t)n < sizeof(h))
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated kdump header (%zd bytes)",
				       name, n);
	for (int be = 0; be <= 1; be++) {
		const uint8_t *f = h + KDUMP_BLOCK_SIZE_OFF;
		uint64_t block = get32(f, be), sub = get32(f + 4, be), bitmap = get32(f + 8, be);
		if (block < 512 || block > (1 << 20) || (block & (block - 1)))
			continue;	/* the other byte order, perhaps */
		if (sub > (1 << 20) || bitmap > (1u << 31) / 2)
			return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump header (sub-header "
					       "%" PRIu64 " and bitmap %" PRIu64 " blocks)", name, sub,
					       bitmap);
		uint64_t end = (1 + sub + bitmap) * block;
		if (end > file_size)
			return sd_error_create(SD_ERROR_INPUT, "%s: truncated kdump file: its header and "
					       "bitmaps end at %" PRIu64 ", the file at %" PRIu64,
					       name, end, file_size);
		return NULL;
	}
	return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump header (no valid block size)",
			       name);
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
			if (probes[i].format == SD_FORMAT_KDUMP || probes[i].format == SD_FORMAT_DISKDUMP) {
				struct sd_error *err = check_kdump_header(fd, name, (uint64_t)st.st_size);
				if (err)
					return err;
			}
			*ret = probes[i].format;
			return NULL;
		}
	}
	return sd_error_create(SD_ERROR_INPUT,
			       "%s: not a core file or crash dump (unknown format)", name);
}
