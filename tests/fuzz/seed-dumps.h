/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small whole dumps for the fuzz targets that read a file (dumpcheck, list):
 * an ELF vmcore with a VMCOREINFO note, a userland core with process notes,
 * and the start of a kdump-compressed file. Little-endian, x86_64.
 */
#ifndef SAVEDUMP_SEED_DUMPS_H
#define SAVEDUMP_SEED_DUMPS_H

#include <elf.h>
#include <string.h>

#include "fuzz.h"

static const char seed_vmcoreinfo[] =
	"OSRELEASE=6.1.0-28-amd64\n"
	"BUILD-ID=3f4e1ac8a1e2b3c4d5e6f708192a3b4c5d6e7f80\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff8aa13700\n"
	"SYMBOL(_stext)=ffffffff89e00000\n"
	"KERNELOFFSET=8e00000\n"
	"CRASHTIME=1700000000\n";

static inline void seed_note(struct fuzz_buf *b, const char *name, uint32_t type,
			     const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	fuzz_buf_uint(b, namesz, 4);
	fuzz_buf_uint(b, descsz, 4);
	fuzz_buf_uint(b, type, 4);
	fuzz_buf_bytes(b, name, namesz);
	for (uint32_t i = namesz; i % 4; i++)
		fuzz_buf_uint(b, 0, 1);
	fuzz_buf_bytes(b, desc, descsz);
	for (uint32_t i = descsz; i % 4; i++)
		fuzz_buf_uint(b, 0, 1);
}

/* An ELF64 core: the header, one PT_NOTE holding notes, one PT_LOAD of data. */
static inline void seed_elf_core(struct fuzz_buf *out, const struct fuzz_buf *notes,
				 uint64_t load_vaddr, size_t load_size)
{
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	Elf64_Phdr ph[2] = { { 0 } };
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = sizeof(eh) + sizeof(ph);
	ph[0].p_filesz = notes->len;
	ph[1].p_type = PT_LOAD;
	ph[1].p_offset = ph[0].p_offset + notes->len;
	ph[1].p_vaddr = load_vaddr;
	ph[1].p_filesz = ph[1].p_memsz = load_size;
	ph[1].p_flags = PF_R;
	fuzz_buf_bytes(out, &eh, sizeof(eh));
	fuzz_buf_bytes(out, ph, sizeof(ph));
	fuzz_buf_bytes(out, notes->data, notes->len);
	for (size_t i = 0; i < load_size; i++)
		fuzz_buf_uint(out, (uint8_t)(i * 7), 1);
}

static inline void seed_dumps(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_buf notes = { 0 }, b = { 0 };
	seed_note(&notes, "VMCOREINFO", 0, seed_vmcoreinfo, sizeof(seed_vmcoreinfo) - 1);
	seed_elf_core(&b, &notes, 0xffffffff8aa13000, 8192);
	fuzz_buf_emit(&b, emit, arg, "elf-vmcore");
	free(notes.data);

	/* A userland core: PRPSINFO, an NT_FILE naming one mapping, AUXV. */
	memset(&notes, 0, sizeof(notes));
	uint8_t prpsinfo[136] = { 0 };
	memcpy(prpsinfo + 40, "prog", 4);		/* pr_fname */
	memcpy(prpsinfo + 56, "/usr/bin/prog -x", 16);	/* pr_psargs */
	seed_note(&notes, "CORE", NT_PRPSINFO, prpsinfo, sizeof(prpsinfo));
	struct fuzz_buf file = { 0 };
	fuzz_buf_uint(&file, 1, 8);		/* count */
	fuzz_buf_uint(&file, 4096, 8);		/* page size */
	fuzz_buf_uint(&file, 0x400000, 8);	/* start, end, page offset */
	fuzz_buf_uint(&file, 0x402000, 8);
	fuzz_buf_uint(&file, 0, 8);
	fuzz_buf_bytes(&file, "/usr/bin/prog", 14);
	seed_note(&notes, "CORE", 0x46494c45, file.data, (uint32_t)file.len);
	free(file.data);
	uint64_t auxv[] = { AT_ENTRY, 0x401000, AT_PHDR, 0x400040, AT_PHNUM, 2, AT_NULL, 0 };
	seed_note(&notes, "CORE", NT_AUXV, auxv, sizeof(auxv));
	seed_elf_core(&b, &notes, 0x400000, 8192);
	fuzz_buf_emit(&b, emit, arg, "elf-core");
	free(notes.data);

	/* The start of a kdump-compressed file: header, then the sub-header page. */
	uint8_t kd[8192] = "KDUMP   ";
	kd[8] = 6;	/* header_version */
	memcpy(kd + 4096, "\0\0\0\0", 4);
	fuzz_buf_bytes(&b, kd, sizeof(kd));
	fuzz_buf_emit(&b, emit, arg, "kdump-header");
}

#endif
