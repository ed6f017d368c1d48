// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PE and portable PDB readers (pe.c) on any file, and the keys made of
 * what they return: reads stay inside the file, the PDB path is a bounded
 * string, and a key is "name/ID/name" with the lower-cased name. Input: the
 * file, read as a PE file and as a portable PDB. Seeds: pe-layouts.h.
 */
#include "fuzz.h"
#include "pe-layouts.h"
#include "pe.h"

const char fuzz_name[] = "pe";

struct file {
	const uint8_t *p;
	size_t len;
};

static size_t file_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct file *f = arg;
	/* pe.c checks every offset and size against the file's: no read goes past it. */
	fuzz_assert(off <= f->len && len <= f->len - off);
	memcpy(buf, f->p + off, len);
	return len;
}

static void check_key(char *k, bool oom, const char *name)
{
	fuzz_assert(!oom);
	fuzz_assert(k != NULL);
	size_t n = strlen(name);
	fuzz_assert(strncmp(k, name, n) == 0 && k[n] == '/');
	fuzz_assert(strcmp(k + strlen(k) - n, name) == 0);
	fuzz_assert(strstr(k, "/../") == NULL);
	free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct file f = { data, size };
	struct sd_pe_info pe;
	bool oom;
	struct sd_error *err = sd_pe_parse(file_read, &f, size, &pe);
	if (!err) {
		fuzz_assert(memchr(pe.pdb_path, '\0', sizeof(pe.pdb_path)) != NULL);
		check_key(sd_ssqp_pe_key("/app/SdApp.DLL", &pe, &oom), oom, "sdapp.dll");
	}
	sd_error_destroy(err);
	uint8_t id[SD_PDB_ID_SIZE];
	err = sd_pdb_portable_id(file_read, &f, size, id);
	if (!err)
		check_key(sd_ssqp_pdb_key("SdApp.pdb", id, &oom), oom, "sdapp.pdb");
	sd_error_destroy(err);
	return 0;
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	uint8_t pe[LAYOUT_PE_SIZE], pdb[LAYOUT_PDB_SIZE];
	layout_pe(pe);
	emit(arg, "pe", pe, sizeof(pe));
	layout_pdb(pdb);
	emit(arg, "pdb", pdb, sizeof(pdb));
}
