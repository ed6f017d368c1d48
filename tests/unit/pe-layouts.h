/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small managed assembly (PE32+ with a CodeView entry naming a portable
 * PDB) and its portable PDB, laid out as the .NET SDK writes them, for
 * tests/unit/test-pe.c and the seeds of tests/fuzz/fuzz-pe.c.
 */
#ifndef SAVEDUMP_TEST_PE_LAYOUTS_H
#define SAVEDUMP_TEST_PE_LAYOUTS_H

#include <stdint.h>
#include <string.h>

enum {
	LAYOUT_PE_SIZE = 0x600,
	LAYOUT_PE_LFANEW = 0x80,
	LAYOUT_PE_DEBUG_RVA = 0x2000,
	LAYOUT_PE_DEBUG_OFF = 0x400,
	LAYOUT_PE_RSDS_OFF = 0x460,
	LAYOUT_PDB_SIZE = 0x100,
	LAYOUT_PDB_ID_OFF = 0x6c,
};

static const uint8_t layout_guid[16] = {
	0xb9, 0xf0, 0xaa, 0x65, 0x99, 0x28, 0x3f, 0x4b,
	0xb2, 0xfd, 0x0b, 0x50, 0x70, 0x3c, 0x7f, 0x0a,
};
static const char layout_guid_n[] = "65aaf0b928994b3fb2fd0b50703c7f0a";

static inline void layout_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void layout_put32(uint8_t *p, uint32_t v)
{
	layout_put16(p, (uint16_t)v);
	layout_put16(p + 2, (uint16_t)(v >> 16));
}

/* SdApp.dll: TimeDateStamp 0xFEE89A4F, SizeOfImage 0x8000, one section holding the debug directory. */
static inline void layout_pe(uint8_t f[LAYOUT_PE_SIZE])
{
	memset(f, 0, LAYOUT_PE_SIZE);
	memcpy(f, "MZ", 2);
	layout_put32(f + 0x3c, LAYOUT_PE_LFANEW);
	uint8_t *pe = f + LAYOUT_PE_LFANEW;
	memcpy(pe, "PE\0\0", 4);
	layout_put16(pe + 4, 0x8664);		/* Machine: AMD64 */
	layout_put16(pe + 6, 1);		/* NumberOfSections */
	layout_put32(pe + 8, 0xfee89a4f);	/* TimeDateStamp */
	layout_put16(pe + 20, 240);		/* SizeOfOptionalHeader */
	uint8_t *opt = pe + 24;
	layout_put16(opt, 0x20b);		/* PE32+ */
	layout_put32(opt + 56, 0x8000);		/* SizeOfImage */
	layout_put32(opt + 108, 16);		/* NumberOfRvaAndSizes */
	layout_put32(opt + 112 + 6 * 8, LAYOUT_PE_DEBUG_RVA);
	layout_put32(opt + 112 + 6 * 8 + 4, 28);
	uint8_t *sect = opt + 240;
	memcpy(sect, ".text", 5);
	layout_put32(sect + 8, 0x200);		/* VirtualSize */
	layout_put32(sect + 12, LAYOUT_PE_DEBUG_RVA);
	layout_put32(sect + 16, 0x200);		/* SizeOfRawData */
	layout_put32(sect + 20, LAYOUT_PE_DEBUG_OFF);
	uint8_t *dbg = f + LAYOUT_PE_DEBUG_OFF;
	layout_put16(dbg + 8, 0x0100);		/* MajorVersion: portable PDB 1.0 */
	layout_put16(dbg + 10, 0x504d);		/* MinorVersion "PM" */
	layout_put32(dbg + 12, 2);		/* IMAGE_DEBUG_TYPE_CODEVIEW */
	layout_put32(dbg + 16, 24 + 10);
	layout_put32(dbg + 24, LAYOUT_PE_RSDS_OFF);
	uint8_t *rsds = f + LAYOUT_PE_RSDS_OFF;
	memcpy(rsds, "RSDS", 4);
	memcpy(rsds + 4, layout_guid, 16);
	layout_put32(rsds + 20, 1);
	memcpy(rsds + 24, "SdApp.pdb", 10);
}

/* SdApp.pdb: metadata root, streams "#Pdb" (the id: the GUID, then a stamp) and "#~". */
static inline void layout_pdb(uint8_t f[LAYOUT_PDB_SIZE])
{
	memset(f, 0, LAYOUT_PDB_SIZE);
	memcpy(f, "BSJB", 4);
	layout_put16(f + 4, 1);
	layout_put16(f + 6, 1);
	layout_put32(f + 12, 12);
	memcpy(f + 16, "PDB v1.0", 8);
	layout_put16(f + 30, 2);		/* streams */
	layout_put32(f + 32, 0x80);		/* "#~" */
	layout_put32(f + 36, 0x20);
	memcpy(f + 40, "#~", 3);
	layout_put32(f + 44, LAYOUT_PDB_ID_OFF);	/* "#Pdb" */
	layout_put32(f + 48, 0x20);
	memcpy(f + 52, "#Pdb", 5);
	memcpy(f + LAYOUT_PDB_ID_OFF, layout_guid, 16);
	layout_put32(f + LAYOUT_PDB_ID_OFF + 16, 0xd0f1e2a3);
}

#endif
