// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PE and portable PDB fields and the symbol-store keys made of them (pe.c),
 * on the layouts of pe-layouts.h, cut short at every length and corrupted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe-layouts.h"
#include "pe.h"
#include "tap.h"

struct buf {
	const uint8_t *p;
	size_t len;
};

static size_t buf_read(void *arg, uint64_t off, void *out, size_t len)
{
	const struct buf *b = arg;
	if (off >= b->len)
		return 0;
	size_t n = len < b->len - off ? len : b->len - (size_t)off;
	memcpy(out, b->p + off, n);
	return n;
}

static struct sd_error *pe_of(const uint8_t *p, size_t len, struct sd_pe_info *ret)
{
	struct buf b = { p, len };
	return sd_pe_parse(buf_read, &b, len, ret);
}

static void pe_tests(void)
{
	uint8_t f[LAYOUT_PE_SIZE];
	struct sd_pe_info pe;
	bool oom;
	layout_pe(f);
	struct sd_error *err = pe_of(f, sizeof(f), &pe);
	ok(!err, "PE parsed");
	sd_error_destroy(err);
	ok(pe.timestamp == 0xfee89a4f && pe.size_of_image == 0x8000 && pe.machine == 0x8664,
	   "TimeDateStamp, SizeOfImage, Machine");
	ok(pe.has_codeview && !memcmp(pe.guid, layout_guid, 16) && pe.age == 1 && pe.portable_pdb,
	   "CodeView entry: GUID, age, portable");
	is_str(pe.pdb_path, "SdApp.pdb", "CodeView PDB path");
	char *k = sd_ssqp_pe_key("/srv/app/SdApp.dll", &pe, &oom);
	is_str(k, "sdapp.dll/FEE89A4F8000/sdapp.dll", "PE key");
	free(k);

	/* Cut short anywhere: an error before the optional header, else no CodeView past the end. */
	bool all_ok = true;
	for (size_t len = 0; len < sizeof(f); len++) {
		err = pe_of(f, len, &pe);
		bool header = len >= LAYOUT_PE_LFANEW + 24 + 240;
		if (len < LAYOUT_PE_LFANEW + 24 + 60 ? !err : (header && err))
			all_ok = false;
		if (!err && pe.has_codeview && len < LAYOUT_PE_RSDS_OFF + 24)
			all_ok = false;
		if (!err && strlen(pe.pdb_path) >= sizeof(pe.pdb_path))
			all_ok = false;
		sd_error_destroy(err);
	}
	ok(all_ok, "truncated at every length: errors or fewer fields, never more");

	uint8_t g[LAYOUT_PE_SIZE];
	memcpy(g, f, sizeof(g));
	layout_put32(g + 0x3c, 0xfffffff0);
	err = pe_of(g, sizeof(g), &pe);
	ok(err && err->code == SD_ERROR_INPUT, "e_lfanew past the end: %s", err ? err->message : "");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	layout_put16(g + LAYOUT_PE_LFANEW + 24, 0x107);
	err = pe_of(g, sizeof(g), &pe);
	ok(err != NULL, "unknown optional header magic is refused");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	memcpy(g, "ZM", 2);
	err = pe_of(g, sizeof(g), &pe);
	ok(err != NULL, "no MZ: not a PE file");
	sd_error_destroy(err);

	/* A debug directory outside every section, or huge: no CodeView, no error. */
	memcpy(g, f, sizeof(g));
	layout_put32(g + LAYOUT_PE_LFANEW + 24 + 112 + 48, 0x90000);
	err = pe_of(g, sizeof(g), &pe);
	ok(!err && !pe.has_codeview, "debug directory outside the sections: no CodeView");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	layout_put32(g + LAYOUT_PE_LFANEW + 24 + 112 + 52, 0xffffffff);
	err = pe_of(g, sizeof(g), &pe);
	ok(!err && pe.has_codeview, "a huge debug directory is read up to its cap");
	sd_error_destroy(err);
	/* 65535 sections: capped, and those past the end are not read. */
	memcpy(g, f, sizeof(g));
	layout_put16(g + LAYOUT_PE_LFANEW + 6, 0xffff);
	err = pe_of(g, sizeof(g), &pe);
	ok(!err && pe.has_codeview, "65535 sections: capped");
	sd_error_destroy(err);
	/* A PDB path that runs to the end of the file, unterminated. */
	memcpy(g, f, sizeof(g));
	layout_put32(g + LAYOUT_PE_DEBUG_OFF + 16, 0xfffffff0);
	memset(g + LAYOUT_PE_RSDS_OFF + 24, 'A', sizeof(g) - LAYOUT_PE_RSDS_OFF - 24);
	err = pe_of(g, sizeof(g), &pe);
	ok(!err && strlen(pe.pdb_path) == SD_PE_PDB_NAME_MAX - 1, "unterminated PDB path: cut (%zu)",
	   strlen(pe.pdb_path));
	sd_error_destroy(err);
	/* An RSDS record past the end. */
	memcpy(g, f, sizeof(g));
	layout_put32(g + LAYOUT_PE_DEBUG_OFF + 24, LAYOUT_PE_SIZE - 8);
	err = pe_of(g, sizeof(g), &pe);
	ok(!err && !pe.has_codeview, "CodeView data past the end: ignored");
	sd_error_destroy(err);
}

static void pdb_tests(void)
{
	uint8_t f[LAYOUT_PDB_SIZE], id[SD_PDB_ID_SIZE];
	bool oom;
	layout_pdb(f);
	struct buf b = { f, sizeof(f) };
	struct sd_error *err = sd_pdb_portable_id(buf_read, &b, sizeof(f), id);
	ok(!err && !memcmp(id, layout_guid, 16), "portable PDB id");
	sd_error_destroy(err);
	char *k = sd_ssqp_pdb_key("SdApp.pdb", id, &oom);
	char want[128];
	snprintf(want, sizeof(want), "sdapp.pdb/%sFFFFFFFF/sdapp.pdb", layout_guid_n);
	is_str(k, want, "portable PDB key");
	free(k);

	bool all_ok = true;
	for (size_t len = 0; len < sizeof(f); len++) {
		b.len = len;
		err = sd_pdb_portable_id(buf_read, &b, len, id);
		if (!err != (len >= LAYOUT_PDB_ID_OFF + SD_PDB_ID_SIZE))
			all_ok = false;
		sd_error_destroy(err);
	}
	ok(all_ok, "portable PDB cut short at every length: an id only when it is all there");
	b.len = sizeof(f);
	uint8_t g[LAYOUT_PDB_SIZE];
	memcpy(g, f, sizeof(g));
	layout_put32(g + 12, 0x7fffffff);
	b.p = g;
	err = sd_pdb_portable_id(buf_read, &b, sizeof(g), id);
	ok(err != NULL, "huge version string: refused");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	memset(g + 52, 'x', sizeof(g) - 52);	/* the name runs on, unterminated */
	err = sd_pdb_portable_id(buf_read, &b, sizeof(g), id);
	ok(err != NULL, "unterminated stream name: no #Pdb");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	layout_put32(g + 44, 0xfffffff0);
	err = sd_pdb_portable_id(buf_read, &b, sizeof(g), id);
	ok(err != NULL, "#Pdb stream past the end: refused");
	sd_error_destroy(err);
	memcpy(g, f, sizeof(g));
	memcpy(g, "MSF ", 4);
	err = sd_pdb_portable_id(buf_read, &b, sizeof(g), id);
	ok(err != NULL, "a Windows PDB is not a portable one");
	sd_error_destroy(err);
}

static void key_tests(void)
{
	bool oom;
	char guid[33];
	sd_guid_n(layout_guid, guid);
	is_str(guid, layout_guid_n, "GUID in N form");
	struct sd_build_id id = { .len = 4, .bytes = { 0x79, 0x94, 0x5f, 0x51 } };
	char *k = sd_ssqp_elf_key("/x/y/libcoreclr.so", &id, &oom);
	is_str(k, "libcoreclr.so/elf-buildid-79945f51/libcoreclr.so", "ELF key");
	free(k);
	k = sd_ssqp_elf_key("/x/libSystem.Native.so", &id, &oom);
	is_str(k, "libsystem.native.so/elf-buildid-79945f51/libsystem.native.so",
	       "ELF key: lower-cased name");
	free(k);
	k = sd_ssqp_elf_debug_key(&id, &oom);
	is_str(k, "_.debug/elf-buildid-sym-79945f51/_.debug", "debug file key");
	free(k);
	k = sd_ssqp_coreclr_key("libmscordaccore.so", &id, &oom);
	is_str(k, "libmscordaccore.so/elf-buildid-coreclr-79945f51/libmscordaccore.so", "DAC key");
	free(k);
	struct sd_build_id none = { .len = 0 };
	ok(!sd_ssqp_elf_key("libc.so.6", &none, &oom) && !oom, "no build-id: no key");
	struct sd_pe_info pe = { .timestamp = 1, .size_of_image = 0x10 };
	ok(!sd_ssqp_pe_key("/a/..", &pe, &oom) && !oom, "'..' is no file name: no key");
	ok(!sd_ssqp_pe_key("/a/", &pe, &oom) && !oom, "'' is no file name: no key");
	k = sd_ssqp_pe_key("X.DLL", &pe, &oom);
	is_str(k, "x.dll/0000000110/x.dll", "PE key: %08X then %x");
	free(k);
}

int main(void)
{
	pe_tests();
	pdb_tests();
	key_tests();
	return tap_done();
}
