// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PE/COFF (Microsoft PE and COFF Specification: DOS header, COFF file
 * header, optional header, section table, debug directory) and ECMA-335
 * metadata (II.24.2.1 metadata root) as far as the portable PDB's #Pdb
 * stream (dotnet/runtime docs/design/specs/PortablePdb-Metadata.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "util.h"

/* Exactly len bytes at off, all inside the file's size. */
static bool get(sd_pe_read_fn *read, void *arg, uint64_t size, uint64_t off, void *buf, size_t len)
{
	if (off > size || len > size - off)
		return false;
	return read(arg, off, buf, len) == len;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct section {
	uint32_t va, vsize, raw_size, raw_ptr;
};

/* The file offset of an RVA, through the section that holds it; false if none does. */
static bool rva_to_off(const struct section *s, size_t n, uint32_t rva, uint64_t *ret)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t span = s[i].vsize > s[i].raw_size ? s[i].vsize : s[i].raw_size;
		if (rva >= s[i].va && rva - s[i].va < span && rva - s[i].va < s[i].raw_size) {
			*ret = (uint64_t)s[i].raw_ptr + (rva - s[i].va);
			return true;
		}
	}
	return false;
}

enum {
	DEBUG_DIRECTORY = 6,
	DEBUG_ENTRY_SIZE = 28,
	DEBUG_TYPE_CODEVIEW = 2,
	PORTABLE_PDB_MINOR = 0x504d,
};

static void codeview(sd_pe_read_fn *read, void *arg, uint64_t size, const struct section *sect,
		     size_t n_sect, uint32_t dir_rva, uint32_t dir_size, struct sd_pe_info *pe)
{
	uint64_t off;
	if (!dir_size || !rva_to_off(sect, n_sect, dir_rva, &off))
		return;
	size_t n = dir_size / DEBUG_ENTRY_SIZE;
	if (n > SD_PE_MAX_DEBUG_ENTRIES)
		n = SD_PE_MAX_DEBUG_ENTRIES;
	for (size_t i = 0; i < n; i++) {
		uint8_t e[DEBUG_ENTRY_SIZE], rsds[24];
		if (!get(read, arg, size, off + i * DEBUG_ENTRY_SIZE, e, sizeof(e)))
			return;
		uint32_t data_size = le32(e + 16), data_ptr = le32(e + 24);
		if (le32(e + 12) != DEBUG_TYPE_CODEVIEW || data_size < sizeof(rsds) ||
		    !get(read, arg, size, data_ptr, rsds, sizeof(rsds)) || memcmp(rsds, "RSDS", 4))
			continue;
		pe->has_codeview = true;
		memcpy(pe->guid, rsds + 4, 16);
		pe->age = le32(rsds + 20);
		pe->portable_pdb = le16(e + 10) == PORTABLE_PDB_MINOR;
		size_t len = data_size - sizeof(rsds);
		if (len > sizeof(pe->pdb_path) - 1)
			len = sizeof(pe->pdb_path) - 1;
		if (size - data_ptr - sizeof(rsds) < len)
			len = (size_t)(size - data_ptr - sizeof(rsds));
		len = read(arg, (uint64_t)data_ptr + sizeof(rsds), pe->pdb_path, len);
		pe->pdb_path[len] = '\0';
		return;
	}
}

struct sd_error *sd_pe_parse(sd_pe_read_fn *read, void *arg, uint64_t size,
			     struct sd_pe_info *ret)
{
	uint8_t dos[64], coff[24], opt[240];
	struct section sect[SD_PE_MAX_SECTIONS];
	if (!get(read, arg, size, 0, dos, sizeof(dos)) || memcmp(dos, "MZ", 2))
		return sd_error_create(SD_ERROR_INPUT, "not a PE file: no MZ header");
	uint32_t pe_off = le32(dos + 0x3c);
	if (!get(read, arg, size, pe_off, coff, sizeof(coff)) || memcmp(coff, "PE\0\0", 4))
		return sd_error_create(SD_ERROR_INPUT, "not a PE file: no PE signature at 0x%x",
				       pe_off);
	struct sd_pe_info pe;
	memset(&pe, 0, sizeof(pe));
	pe.machine = le16(coff + 4);
	size_t n_sect = le16(coff + 6);
	pe.timestamp = le32(coff + 8);
	size_t opt_size = le16(coff + 20);
	uint64_t opt_off = (uint64_t)pe_off + sizeof(coff);
	size_t opt_read = opt_size < sizeof(opt) ? opt_size : sizeof(opt);
	if (opt_size < 60 || !get(read, arg, size, opt_off, opt, opt_read))
		return sd_error_create(SD_ERROR_INPUT, "PE file with a truncated optional header");
	size_t dirs, count_at;
	switch (le16(opt)) {
	case 0x10b:	/* PE32 */
		dirs = 96, count_at = 92;
		break;
	case 0x20b:	/* PE32+ */
		dirs = 112, count_at = 108;
		break;
	default:
		return sd_error_create(SD_ERROR_INPUT, "PE file with an unknown optional header "
				       "magic 0x%x", le16(opt));
	}
	pe.size_of_image = le32(opt + 56);
	if (n_sect > SD_PE_MAX_SECTIONS)
		n_sect = SD_PE_MAX_SECTIONS;
	size_t have = 0;
	for (size_t i = 0; i < n_sect; i++) {
		uint8_t s[40];
		if (!get(read, arg, size, opt_off + opt_size + i * 40, s, sizeof(s)))
			break;
		sect[have++] = (struct section){ .vsize = le32(s + 8), .va = le32(s + 12),
						 .raw_size = le32(s + 16), .raw_ptr = le32(s + 20) };
	}
	size_t dir_at = dirs + DEBUG_DIRECTORY * 8;
	if (count_at + 4 <= opt_read && le32(opt + count_at) > DEBUG_DIRECTORY &&
	    dir_at + 8 <= opt_read)
		codeview(read, arg, size, sect, have, le32(opt + dir_at), le32(opt + dir_at + 4), &pe);
	*ret = pe;
	return NULL;
}

struct sd_error *sd_pdb_portable_id(sd_pe_read_fn *read, void *arg, uint64_t size,
				    uint8_t ret[SD_PDB_ID_SIZE])
{
	uint8_t root[16], hdr[4];
	if (!get(read, arg, size, 0, root, sizeof(root)) || memcmp(root, "BSJB", 4))
		return sd_error_create(SD_ERROR_INPUT, "not a portable PDB: no metadata signature");
	uint32_t vlen = le32(root + 12);
	if (vlen > 256)
		return sd_error_create(SD_ERROR_INPUT, "portable PDB with a version string of %u "
				       "bytes", vlen);
	uint64_t pos = 16 + (uint64_t)((vlen + 3) & ~3u);
	if (!get(read, arg, size, pos, hdr, sizeof(hdr)))
		return sd_error_create(SD_ERROR_INPUT, "truncated portable PDB");
	size_t n = le16(hdr + 2);
	if (n > SD_PDB_MAX_STREAMS)
		n = SD_PDB_MAX_STREAMS;
	pos += sizeof(hdr);
	for (size_t i = 0; i < n; i++) {
		/* offset, size, then the name: NUL-terminated, padded to 4, at most 32 bytes. */
		uint8_t sh[8 + 32];
		size_t got = size > pos ? read(arg, pos, sh, size - pos < sizeof(sh) ? (size_t)(size - pos)
										     : sizeof(sh)) : 0;
		if (got < 12)
			break;
		const uint8_t *nul = memchr(sh + 8, '\0', got - 8);
		if (!nul)
			break;
		size_t name_len = (size_t)(nul - (sh + 8));
		uint32_t off = le32(sh), len = le32(sh + 4);
		if (name_len == 4 && !memcmp(sh + 8, "#Pdb", 4)) {
			if (len < SD_PDB_ID_SIZE || !get(read, arg, size, off, ret, SD_PDB_ID_SIZE))
				break;
			return NULL;
		}
		pos += 8 + ((name_len + 4) & ~(size_t)3);
	}
	return sd_error_create(SD_ERROR_INPUT, "not a portable PDB: no #Pdb stream");
}

void sd_guid_n(const uint8_t g[16], char out[33])
{
	snprintf(out, 33, "%08x%04x%04x", le32(g), le16(g + 4), le16(g + 6));
	sd_hex(g + 8, 8, out + 16);
}

/* The last component of name, lower-cased; NULL if it is not a usable one. */
static char *key_name(const char *name, bool *oom)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	*oom = false;
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, ".."))
		return NULL;
	char *s = strdup(base);
	if (!s) {
		*oom = true;
		return NULL;
	}
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

static char *key(bool *oom, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *key(bool *oom, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	*oom = r < 0;
	return r < 0 ? NULL : s;
}

char *sd_ssqp_pe_key(const char *name, const struct sd_pe_info *pe, bool *ret_oom)
{
	char *n = key_name(name, ret_oom);
	if (!n)
		return NULL;
	char *k = key(ret_oom, "%s/%08X%x/%s", n, pe->timestamp, pe->size_of_image, n);
	free(n);
	return k;
}

char *sd_ssqp_pdb_key(const char *name, const uint8_t id[SD_PDB_ID_SIZE], bool *ret_oom)
{
	char *n = key_name(name, ret_oom), guid[33];
	if (!n)
		return NULL;
	sd_guid_n(id, guid);
	char *k = key(ret_oom, "%s/%sFFFFFFFF/%s", n, guid, n);
	free(n);
	return k;
}

char *sd_ssqp_elf_key(const char *name, const struct sd_build_id *id, bool *ret_oom)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	*ret_oom = false;
	if (!id->len)
		return NULL;
	char *n = key_name(name, ret_oom);
	if (!n)
		return NULL;
	char *k = key(ret_oom, "%s/elf-buildid-%s/%s", n, sd_build_id_hex(id, hex), n);
	free(n);
	return k;
}

char *sd_ssqp_elf_debug_key(const struct sd_build_id *id, bool *ret_oom)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	*ret_oom = false;
	if (!id->len)
		return NULL;
	return key(ret_oom, "_.debug/elf-buildid-sym-%s/_.debug", sd_build_id_hex(id, hex));
}

char *sd_ssqp_coreclr_key(const char *name, const struct sd_build_id *coreclr, bool *ret_oom)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	*ret_oom = false;
	if (!coreclr->len)
		return NULL;
	char *n = key_name(name, ret_oom);
	if (!n)
		return NULL;
	char *k = key(ret_oom, "%s/elf-buildid-coreclr-%s/%s", n, sd_build_id_hex(coreclr, hex), n);
	free(n);
	return k;
}
