// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "util.h"
#include "vmcoreinfo.h"

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

/* An unsigned integer of size bytes (at most 8) in either byte order. */
static uint64_t get(const uint8_t *p, unsigned size, bool big_endian)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

enum {
	/* Program or section headers in one file (kdump.c reads up to this many segments). */
	ELF_MAX_HEADERS = 1 << 22,
	/* Sections a core may have beyond one per program header. */
	ELF_CORE_EXTRA_SECTIONS = 1024,
	/* Notes a kernel dump may carry: a few hundred bytes per CPU and one VMCOREINFO page. */
	NOTES_MAX = 64 << 20,
	PAGE_SIZE_MIN = 4096,
	PAGE_SIZE_MAX = 1 << 18,	/* libkdumpfile's MAX_PAGE_SIZE */
};

static bool page_size_ok(uint64_t size)
{
	return size >= PAGE_SIZE_MIN && size <= PAGE_SIZE_MAX && !(size & (size - 1));
}

/* Does [off, off + size) lie in a file of file_size bytes? */
static bool in_file(uint64_t off, uint64_t size, uint64_t file_size)
{
	return off <= file_size && size <= file_size - off;
}

/* --- ELF ------------------------------------------------------------------------------ */

struct elf_info {
	bool is64, big_endian;
	uint64_t phoff, phnum;	/* phnum resolved through section 0 for PN_XNUM */
};

/*
 * The ELF header fields every reader follows first (libelf, libkdumpfile,
 * kdump.c's segment reader): the program and section header tables must
 * have entries of the right size and lie in the file. libkdumpfile 0.5.1
 * reads e_shnum entries of e_shentsize bytes from e_shoff without checking
 * any of them: e_shentsize 0 makes it dereference NULL, an e_shoff far
 * past the end a wild pointer, and 65535 entries of 65535 bytes cost it
 * seconds of copying. Sections are optional in a core (e_shoff 0), but a
 * table that is there must be sane: it also holds the real e_phnum when
 * e_phnum is PN_XNUM.
 */
static struct sd_error *check_elf_header(int fd, const char *name, uint64_t file_size,
					 struct elf_info *ret)
{
	uint8_t h[64];
	ssize_t n = sd_pread_full(fd, h, sizeof(h), 0);
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	if (n < EI_NIDENT)
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated ELF header (%zd bytes)", name, n);
	unsigned cls = h[EI_CLASS], data = h[EI_DATA];
	if (cls != ELFCLASS32 && cls != ELFCLASS64)
		return sd_error_create(SD_ERROR_INPUT, "%s: unknown ELF class %u (e_ident[EI_CLASS])",
				       name, cls);
	if (data != ELFDATA2LSB && data != ELFDATA2MSB)
		return sd_error_create(SD_ERROR_INPUT, "%s: unknown ELF byte order %u "
				       "(e_ident[EI_DATA])", name, data);
	const bool is64 = cls == ELFCLASS64, be = data == ELFDATA2MSB;
	const unsigned ehdr_size = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	const unsigned phdr_size = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	const unsigned shdr_size = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if ((size_t)n < ehdr_size)
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated ELF header (%zd of %u bytes)",
				       name, n, ehdr_size);
	/* e_phoff and e_shoff are words, the rest of the fields from e_phentsize on halves. */
	const unsigned w = is64 ? 8 : 4, half = is64 ? 54 : 42;
	uint64_t phoff = get(h + 24 + w, w, be), shoff = get(h + 24 + 2 * w, w, be);
	uint64_t phentsize = get(h + half, 2, be), phnum = get(h + half + 2, 2, be);
	uint64_t shentsize = get(h + half + 4, 2, be), shnum = get(h + half + 6, 2, be);
	uint64_t shstrndx = get(h + half + 8, 2, be);
	uint64_t type = get(h + 16, 2, be);

	if (shoff == 0) {
		if (shnum != 0)
			return sd_error_create(SD_ERROR_INPUT, "%s: e_shnum is %" PRIu64 " but there is "
					       "no section header table (e_shoff 0)", name, shnum);
		if (phnum == PN_XNUM)
			return sd_error_create(SD_ERROR_INPUT, "%s: e_phnum is PN_XNUM but there is no "
					       "section header table to hold the count (e_shoff 0)",
					       name);
	} else {
		if (shentsize != shdr_size)
			return sd_error_create(SD_ERROR_INPUT, "%s: e_shentsize is %" PRIu64 ", not %u",
					       name, shentsize, shdr_size);
		if (!in_file(shoff, shdr_size, file_size))
			return sd_error_create(SD_ERROR_INPUT, "%s: the section header table (e_shoff "
					       "%#" PRIx64 ") lies beyond the end of the file (%" PRIu64
					       " bytes)", name, shoff, file_size);
		if (shnum == 0 || phnum == PN_XNUM || shstrndx == SHN_XINDEX) {
			/* Section 0 holds the real counts: sh_size, sh_link, sh_info. */
			uint8_t s0[64];
			if (sd_pread_full(fd, s0, shdr_size, (off_t)shoff) != (ssize_t)shdr_size)
				return sd_error_errno(errno ? errno : EIO, "%s: section header 0", name);
			if (shnum == 0)
				shnum = get(s0 + (is64 ? 32 : 20), w, be);
			if (shstrndx == SHN_XINDEX)
				shstrndx = get(s0 + (is64 ? 40 : 24), 4, be);
			if (phnum == PN_XNUM)
				phnum = get(s0 + (is64 ? 44 : 28), 4, be);
		}
		/*
		 * A core has a section per segment at most, and a few more (gdb's
		 * gcore; the kernel writes one, for PN_XNUM): millions of them
		 * would only cost libelf and libkdumpfile seconds to read.
		 */
		if (type == ET_CORE && shnum > phnum + ELF_CORE_EXTRA_SECTIONS)
			return sd_error_create(SD_ERROR_INPUT, "%s: %" PRIu64 " section headers for %"
					       PRIu64 " program headers: too many for a core", name,
					       shnum, phnum);
		if (shnum > ELF_MAX_HEADERS || !in_file(shoff, shnum * shdr_size, file_size))
			return sd_error_create(SD_ERROR_INPUT, "%s: the section header table (%" PRIu64
					       " entries at %#" PRIx64 ") does not fit in the file (%"
					       PRIu64 " bytes)", name, shnum, shoff, file_size);
		if (shstrndx != SHN_UNDEF && shstrndx >= shnum)
			return sd_error_create(SD_ERROR_INPUT, "%s: e_shstrndx %" PRIu64 " is not a "
					       "section (there are %" PRIu64 ")", name, shstrndx, shnum);
	}
	if (phnum != 0) {
		if (phentsize != phdr_size)
			return sd_error_create(SD_ERROR_INPUT, "%s: e_phentsize is %" PRIu64 ", not %u",
					       name, phentsize, phdr_size);
		if (phnum > ELF_MAX_HEADERS || !in_file(phoff, phnum * phdr_size, file_size))
			return sd_error_create(SD_ERROR_INPUT, "%s: the program header table (%" PRIu64
					       " entries at %#" PRIx64 ") does not fit in the file (%"
					       PRIu64 " bytes)", name, phnum, phoff, file_size);
	}
	*ret = (struct elf_info){ .is64 = is64, .big_endian = be, .phoff = phoff, .phnum = phnum };
	return NULL;
}

/* --- kdump-compressed and diskdump ---------------------------------------------------- */

/*
 * struct disk_dump_header and struct kdump_sub_header (makedumpfile's
 * diskdump_mod.h) exist in a 32-bit and a 64-bit layout, in the dumped
 * machine's byte order: after the utsname, a struct timeval of two longs.
 * Offsets of the fields read here, in each layout.
 */
struct kdump_layout {
	const char *name;
	unsigned block_size;	/* then sub_hdr_size, bitmap_blocks, max_mapnr (4 bytes each) */
	unsigned sub_size;	/* sizeof(struct kdump_sub_header) */
	unsigned vmcoreinfo;	/* offset_vmcoreinfo (8 bytes), then size_vmcoreinfo */
	unsigned note;		/* offset_note (8 bytes), then size_note */
	unsigned size_size;	/* bytes of size_vmcoreinfo and size_note (a long) */
};

static const struct kdump_layout kdump_layouts[] = {
	{ "32-bit", 416, 80, 20, 32, 4 },
	{ "64-bit", 428, 104, 32, 48, 8 },
};

enum { KDUMP_HEADER_READ = 448 };

struct kdump_info {
	bool big_endian;
	uint64_t note_off, note_size;			/* header_version >= 4 */
	uint64_t vmcoreinfo_off, vmcoreinfo_size;	/* header_version 3 */
};

/*
 * The header as libkdumpfile 0.5.1 (diskdump.c try_header()) takes it: the
 * first layout and byte order (32-bit little-endian, 32-bit big-endian,
 * 64-bit ...) whose block size is a power of two from 4 KiB to 256 KiB (it
 * becomes the page size) and whose bitmap covers max_mapnr. After that, any
 * failure makes it free the format's private data, which kdump_free() then
 * uses again (a crash): so everything it goes on to read must be in the
 * file and sane before it is called.
 */
static struct sd_error *check_kdump_header(int fd, const char *name, uint64_t file_size,
					   struct kdump_info *ret)
{
	uint8_t h[KDUMP_HEADER_READ];
	ssize_t n = sd_pread_full(fd, h, sizeof(h), 0);
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	if ((size_t)n < sizeof(h))
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated kdump header (%zd bytes)",
				       name, n);
	const struct kdump_layout *l = NULL;
	bool be = false;
	uint64_t block = 0, bitmap = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kdump_layouts) && !l; i++) {
		for (int b = 0; b <= 1 && !l; b++) {
			const uint8_t *f = h + kdump_layouts[i].block_size;
			block = get(f, 4, b);
			bitmap = get(f + 8, 4, b);
			if (page_size_ok(block) && 8 * bitmap * block >= get(f + 12, 4, b)) {
				l = &kdump_layouts[i];
				be = b;
			}
		}
	}
	if (!l)
		return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump header (no block size that "
				       "is a power of two from 4096 to 262144, with a bitmap covering "
				       "max_mapnr)", name);
	/* Said with each complaint: the fields are read as libkdumpfile will read them. */
	const char *as = be ? "big-endian" : "little-endian";
	int32_t version = (int32_t)get(h + 8, 4, be);
	uint64_t sub = get(h + l->block_size + 4, 4, be);
	if (version < 0)
		return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump header (%s %s): version %d",
				       name, l->name, as, version);
	if (sub > (1 << 20) || bitmap > (1u << 31) / 2)
		return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump header (%s %s): sub-header "
				       "%" PRIu64 " and bitmap %" PRIu64 " blocks", name, l->name, as,
				       sub, bitmap);
	uint64_t end = (1 + sub + bitmap) * block;
	if (end > file_size)
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated kdump file: its header and "
				       "bitmaps end at %" PRIu64 ", the file at %" PRIu64,
				       name, end, file_size);
	struct kdump_info info = { .big_endian = be };
	if (version >= 1) {
		uint8_t s[104];
		if (!in_file(block, l->sub_size, file_size) ||
		    sd_pread_full(fd, s, l->sub_size, (off_t)block) != (ssize_t)l->sub_size)
			return sd_error_create(SD_ERROR_INPUT, "%s: truncated kdump file: no room for "
					       "its %s sub-header at %" PRIu64, name, l->name, block);
		/* libkdumpfile reads the notes from version 4 on, VMCOREINFO alone in version 3. */
		const char *what = version >= 4 ? "notes" : "VMCOREINFO";
		unsigned at = version >= 4 ? l->note : l->vmcoreinfo;
		uint64_t off = get(s + at, 8, be), size = get(s + at + 8, l->size_size, be);
		if (version >= 3 && size) {
			if (size > NOTES_MAX)
				return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump sub-header "
						       "(%" PRIu64 " bytes of %s, more than %d MiB)",
						       name, size, what, NOTES_MAX >> 20);
			if (!in_file(off, size, file_size))
				return sd_error_create(SD_ERROR_INPUT, "%s: corrupt kdump sub-header "
						       "(%s: %" PRIu64 " bytes at %" PRIu64 ", past the "
						       "end of the file at %" PRIu64 ")", name, what,
						       size, off, file_size);
			if (version >= 4) {
				info.note_off = off;
				info.note_size = size;
			} else {
				info.vmcoreinfo_off = off;
				info.vmcoreinfo_size = size;
			}
		}
	}
	*ret = info;
	return NULL;
}

/*
 * The size every offset is checked against: st_size for a regular file
 * (/proc/vmcore has one too); a block device's is where it ends.
 */
static uint64_t input_size(int fd, const struct stat *st)
{
	if (S_ISREG(st->st_mode) || !S_ISBLK(st->st_mode))
		return (uint64_t)st->st_size;
	off_t here = lseek(fd, 0, SEEK_CUR), end = lseek(fd, 0, SEEK_END);
	if (here >= 0)
		lseek(fd, here, SEEK_SET);
	return end > 0 ? (uint64_t)end : 0;
}

/* --- notes ---------------------------------------------------------------------------- */

/* Is the note's name (namesz bytes, perhaps with its NUL) want? As libkdumpfile's note_equal(). */
static bool note_is(const uint8_t *name, uint64_t namesz, const char *want)
{
	size_t len = strlen(want);
	return namesz >= len && namesz <= len + 1 && memcmp(name, want, namesz) == 0;
}

enum {
	XEN_ELFNOTE_DUMPCORE_HEADER = 0x2000001,
	XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION = 0x2000003,
};

/*
 * Walk notes the way libkdumpfile's do_notes() does, and refuse those it
 * would trip over: VMCOREINFO (sd_vmcoreinfo_check()), and the Xen
 * dump-core notes whose descriptors it reads without checking their size
 * (the header's page size is used like PAGESIZE).
 */
static struct sd_error *check_notes(const uint8_t *p, uint64_t size, bool be, const char *name)
{
	while (size >= 12) {
		uint64_t namesz = get(p, 4, be), descsz = get(p + 4, 4, be);
		uint32_t type = (uint32_t)get(p + 8, 4, be);
		uint64_t descoff = 12 + ((namesz + 3) & ~3ull), descpad = (descsz + 3) & ~3ull;
		if (size < descoff + descsz)
			break;
		const uint8_t *nm = p + 12, *desc = p + descoff;
		struct sd_error *err = NULL;
		if (note_is(nm, namesz, "VMCOREINFO") || note_is(nm, namesz, "VMCOREINFO_XEN")) {
			err = sd_vmcoreinfo_check((const char *)desc, descsz,
						  note_is(nm, namesz, "VMCOREINFO"));
		} else if (note_is(nm, namesz, ".note.Xen")) {
			uint64_t page_size = descsz >= 32 ? get(desc + 24, 8, be) : 0;
			if (type == XEN_ELFNOTE_DUMPCORE_HEADER && descsz < 32)
				err = sd_error_create(SD_ERROR_INPUT, "Xen dump-core header note of %"
						      PRIu64 " bytes, not 32", descsz);
			else if (type == XEN_ELFNOTE_DUMPCORE_HEADER && !page_size_ok(page_size))
				err = sd_error_create(SD_ERROR_INPUT, "Xen dump-core header note: page "
						      "size %" PRIu64 " is not a page size (a power of "
						      "two from 4096 to 262144)", page_size);
			else if (type == XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION && descsz < 8)
				err = sd_error_create(SD_ERROR_INPUT, "Xen dump-core format note of %"
						      PRIu64 " bytes, not 8", descsz);
		}
		if (err)
			return sd_error_prefix(err, "%s", name);
		size -= descoff;
		p = desc + (descpad < size ? descpad : size);
		size = size >= descpad ? size - descpad : 0;
	}
	return NULL;
}

/* Read size bytes at off (in the file, at most NOTES_MAX) and check them as notes. */
static struct sd_error *check_notes_at(int fd, const char *name, uint64_t off, uint64_t size,
				       bool be, bool vmcoreinfo_only)
{
	_cleanup_free_ uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return &sd_enomem;
	ssize_t n = sd_pread_full(fd, buf, size, (off_t)off);
	if (n < 0)
		return sd_error_errno(errno, "%s: reading its notes", name);
	if ((uint64_t)n != size)
		return sd_error_create(SD_ERROR_INPUT, "%s: notes at %" PRIu64 " cut short", name, off);
	if (vmcoreinfo_only)
		return sd_error_prefix(sd_vmcoreinfo_check((const char *)buf, size, true), "%s", name);
	return check_notes(buf, size, be, name);
}

/* Every PT_NOTE segment: in the file, at most NOTES_MAX bytes in all, and its notes sane. */
static struct sd_error *check_elf_notes(int fd, const char *name, uint64_t file_size,
					const struct elf_info *e)
{
	const unsigned phdr_size = e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	enum { BATCH = 1024 };
	_cleanup_free_ uint8_t *ph = malloc(BATCH * sizeof(Elf64_Phdr));
	if (!ph)
		return &sd_enomem;
	uint64_t total = 0;
	for (uint64_t i = 0; i < e->phnum; i += BATCH) {
		uint64_t count = e->phnum - i < BATCH ? e->phnum - i : BATCH;
		ssize_t want = (ssize_t)(count * phdr_size);
		if (sd_pread_full(fd, ph, (size_t)want, (off_t)(e->phoff + i * phdr_size)) != want)
			return sd_error_errno(errno ? errno : EIO, "%s: program headers", name);
		for (uint64_t j = 0; j < count; j++) {
			const uint8_t *p = ph + j * phdr_size;
			const bool be = e->big_endian;
			uint64_t type = get(p, 4, be);
			uint64_t off = e->is64 ? get(p + 8, 8, be) : get(p + 4, 4, be);
			uint64_t size = e->is64 ? get(p + 32, 8, be) : get(p + 16, 4, be);
			/*
			 * libkdumpfile maps PT_LOAD data as the header says: past the end
			 * of the file that is a SIGBUS (found by fuzzing the --list path).
			 */
			if (type == PT_LOAD && !in_file(off, size, file_size))
				return sd_error_create(SD_ERROR_INPUT, "%s: PT_LOAD segment %" PRIu64
						       " (%" PRIu64 " bytes at %" PRIu64 ") lies past "
						       "the end of the file (%" PRIu64 " bytes): "
						       "truncated", name, i + j, size, off, file_size);
			if (type != PT_NOTE)
				continue;
			if (!in_file(off, size, file_size))
				return sd_error_create(SD_ERROR_INPUT, "%s: PT_NOTE segment %"
						       PRIu64 " (%" PRIu64 " bytes at %" PRIu64
						       ") lies past the end of the file (%" PRIu64
						       " bytes)", name, i + j, size, off, file_size);
			total += size;
			if (total > NOTES_MAX)
				return sd_error_create(SD_ERROR_INPUT, "%s: more than %d MiB of "
						       "notes in PT_NOTE segments", name,
						       NOTES_MAX >> 20);
			struct sd_error *err = check_notes_at(fd, name, off, size, be, false);
			if (err)
				return err;
		}
	}
	return NULL;
}

struct sd_error *sd_dump_check_kernel(int fd, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "%s", name);
	enum sd_dump_format format;
	struct sd_error *err = sd_dump_probe(fd, name, &format);
	if (err)
		return err;
	const uint64_t size = input_size(fd, &st);
	if (format == SD_FORMAT_ELF) {
		struct elf_info e;
		if ((err = check_elf_header(fd, name, size, &e)))
			return err;
		return check_elf_notes(fd, name, size, &e);
	}
	if (format == SD_FORMAT_KDUMP || format == SD_FORMAT_DISKDUMP) {
		struct kdump_info k;
		if ((err = check_kdump_header(fd, name, size, &k)))
			return err;
		if (k.note_size)
			return check_notes_at(fd, name, k.note_off, k.note_size, k.big_endian, false);
		if (k.vmcoreinfo_size)
			return check_notes_at(fd, name, k.vmcoreinfo_off, k.vmcoreinfo_size,
					      k.big_endian, true);
	}
	return NULL;
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
			struct sd_error *err = NULL;
			if (probes[i].format == SD_FORMAT_ELF) {
				struct elf_info e;
				err = check_elf_header(fd, name, input_size(fd, &st), &e);
			} else if (probes[i].format == SD_FORMAT_KDUMP ||
				   probes[i].format == SD_FORMAT_DISKDUMP) {
				struct kdump_info k;
				err = check_kdump_header(fd, name, input_size(fd, &st), &k);
			}
			if (err)
				return err;
			*ret = probes[i].format;
			return NULL;
		}
	}
	return sd_error_create(SD_ERROR_INPUT,
			       "%s: not a core file or crash dump (unknown format)", name);
}
