// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fillcore.h"
#include "output.h"
#include "pe.h"
#include "util.h"

enum {
	EHDR_SIZE = 64,
	PHDR_SIZE = 56,
	PAGE = 4096,
	NOTE_SEG_MAX = 64 << 20,	/* PT_NOTE bytes read (whole segments), at most */
	MAPS_MAX = 1 << 16,		/* NT_FILE entries looked at */
};

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* x rounded up to a page, false on overflow. */
static bool page_up(uint64_t x, uint64_t *ret)
{
	if (x > UINT64_MAX - (PAGE - 1))
		return false;
	*ret = (x + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	return true;
}

struct sd_error *sd_fill_parse_ehdr(const uint8_t *p, size_t len, uint64_t core_size,
				    uint64_t *ret_phoff, size_t *ret_phnum)
{
	if (len < EHDR_SIZE || memcmp(p, ELFMAG, SELFMAG) || p[EI_CLASS] != ELFCLASS64 ||
	    p[EI_DATA] != ELFDATA2LSB || le(p + 16, 2) != ET_CORE)
		return sd_error_create(SD_ERROR_INPUT, "not a 64-bit little-endian ELF core");
	uint64_t phoff = le(p + 32, 8);
	size_t phentsize = (size_t)le(p + 54, 2), phnum = (size_t)le(p + 56, 2);
	if (phentsize != PHDR_SIZE || phnum == 0 || phnum > SD_FILL_PHNUM_MAX)
		return sd_error_create(SD_ERROR_INPUT, "program header table of %zu entries of %zu "
				       "bytes", phnum, phentsize);
	if (phoff > core_size || (uint64_t)phnum * PHDR_SIZE > core_size - phoff)
		return sd_error_create(SD_ERROR_INPUT, "program header table outside the file");
	*ret_phoff = phoff;
	*ret_phnum = phnum;
	return NULL;
}

struct sd_error *sd_fill_parse_phdrs(const uint8_t *p, size_t len, size_t phnum,
				     struct sd_fill_seg **ret)
{
	if (phnum > SD_FILL_PHNUM_MAX || len / PHDR_SIZE < phnum)
		return sd_error_create(SD_ERROR_INPUT, "program header table cut short");
	struct sd_fill_seg *s = calloc(phnum ? phnum : 1, sizeof(*s));
	if (!s)
		return &sd_enomem;
	for (size_t i = 0; i < phnum; i++, p += PHDR_SIZE)
		s[i] = (struct sd_fill_seg){
			.type = (uint32_t)le(p, 4), .flags = (uint32_t)le(p + 4, 4),
			.offset = le(p + 8, 8), .vaddr = le(p + 16, 8), .paddr = le(p + 24, 8),
			.filesz = le(p + 32, 8), .memsz = le(p + 40, 8), .align = le(p + 48, 8),
		};
	*ret = s;
	return NULL;
}

struct sd_error *sd_fill_find_nt_file(const uint8_t *p, size_t len, struct sd_file_note *ret)
{
	static const struct sd_note_layout l = { .is64 = true, .big_endian = false };
	size_t pos = 0;
	while (len - pos >= 12) {
		uint64_t namesz = le(p + pos, 4), descsz = le(p + pos + 4, 4), type = le(p + pos + 8, 4);
		uint64_t name_off = pos + 12, desc_off = name_off + ((namesz + 3) & ~(uint64_t)3);
		if (desc_off > len || descsz > len - desc_off)
			break;
		if (type == NT_FILE && namesz == 5 && !memcmp(p + name_off, "CORE", 5))
			return sd_parse_nt_file(p + desc_off, (size_t)descsz, l, ret);
		uint64_t next = desc_off + ((descsz + 3) & ~(uint64_t)3);
		if (next > len)
			break;
		pos = (size_t)next;
	}
	*ret = (struct sd_file_note){ 0 };
	return NULL;
}

struct range {
	uint64_t start, end;
};

static int range_cmp(const void *pa, const void *pb)
{
	const struct range *a = pa, *b = pb;
	return (a->start > b->start) - (a->start < b->start);
}

static int map_cmp(const void *pa, const void *pb)
{
	const struct sd_fill_map *a = *(const struct sd_fill_map *const *)pa;
	const struct sd_fill_map *b = *(const struct sd_fill_map *const *)pb;
	return (a->start > b->start) - (a->start < b->start);
}

/* Append [start, end) of map m (if its source has bytes there) to l at *cur. */
static struct sd_error *add_gap(struct sd_fill_layout *l, size_t *cap, const struct sd_fill_map *m,
				uint64_t start, uint64_t end, const uint64_t *source_sizes,
				uint64_t *cur)
{
	uint64_t delta = start - m->start, src_size = source_sizes[m->source];
	if (m->offset > UINT64_MAX - delta || m->offset + delta >= src_size)
		return NULL;	/* beyond the file's end: nothing there to read */
	uint64_t soff = m->offset + delta, size = end - start;
	if (size > src_size - soff)
		size = src_size - soff;
	if (l->n_adds >= SD_FILL_PHNUM_MAX)
		return sd_error_create(SD_ERROR_INPUT, "more than %d segments to add",
				       SD_FILL_PHNUM_MAX);
	if (!sd_grow(&l->adds, cap, l->n_adds + 1, sizeof(*l->adds)))
		return &sd_enomem;
	l->adds[l->n_adds++] = (struct sd_fill_add){
		.vaddr = start, .size = size, .source_offset = soff, .out_offset = *cur,
		.source = m->source,
	};
	if (*cur > UINT64_MAX - size || !page_up(*cur + size, cur))
		return sd_error_create(SD_ERROR_INPUT, "the derived core would be too large");
	return NULL;
}

struct sd_error *sd_fill_plan(const struct sd_fill_seg *segs, size_t n_segs, uint64_t core_size,
			      const struct sd_fill_map *maps, size_t n_maps,
			      const uint64_t *source_sizes, size_t n_sources,
			      struct sd_fill_layout *ret)
{
	struct sd_fill_layout l = { 0 };
	size_t cap = 0, n_cov = 0;
	struct sd_error *err = NULL;
	if (n_segs > SD_FILL_PHNUM_MAX || n_maps > MAPS_MAX)
		return sd_error_create(SD_ERROR_INPUT, "%zu segments, %zu mappings: too many", n_segs,
				       n_maps);
	_cleanup_free_ struct range *cov = calloc(n_segs ? n_segs : 1, sizeof(*cov));
	_cleanup_free_ const struct sd_fill_map **order = calloc(n_maps ? n_maps : 1,
								 sizeof(*order));
	if (!cov || !order)
		return &sd_enomem;
	/* What the dump holds: its PT_LOADs' file bytes. */
	for (size_t i = 0; i < n_segs; i++) {
		const struct sd_fill_seg *s = &segs[i];
		if (s->type != PT_LOAD || !s->filesz)
			continue;
		uint64_t len = s->filesz < s->memsz ? s->filesz : s->memsz;
		if (!len)
			continue;
		cov[n_cov++] = (struct range){
			s->vaddr, s->vaddr > UINT64_MAX - len ? UINT64_MAX : s->vaddr + len };
	}
	qsort(cov, n_cov, sizeof(*cov), range_cmp);
	size_t n_order = 0;
	for (size_t i = 0; i < n_maps; i++)
		if (maps[i].source < n_sources && maps[i].start < maps[i].end)
			order[n_order++] = &maps[i];
	qsort(order, n_order, sizeof(*order), map_cmp);

	uint64_t cur;
	if (!page_up(core_size, &cur))
		return sd_error_create(SD_ERROR_INPUT, "the dump is too large");
	uint64_t done = 0;	/* addresses below are filled already (by an earlier mapping) */
	size_t c = 0;		/* first covered range that may end after the mapping's start */
	for (size_t i = 0; i < n_order; i++) {
		const struct sd_fill_map *m = order[i];
		uint64_t at = m->start > done ? m->start : done;
		while (c < n_cov && cov[c].end <= at)
			c++;
		for (size_t k = c; at < m->end; k++) {
			/* Covered ranges may overlap: skip those ending before at. */
			if (k < n_cov && cov[k].end <= at)
				continue;
			uint64_t gap_end = k < n_cov && cov[k].start < m->end ? cov[k].start : m->end;
			if (gap_end > at && (err = add_gap(&l, &cap, m, at, gap_end, source_sizes,
							   &cur)))
				goto fail;
			if (k >= n_cov || cov[k].start >= m->end)
				break;
			if (cov[k].end > at)
				at = cov[k].end;
		}
		if (m->end > done)
			done = m->end;
	}
	l.phnum = n_segs + l.n_adds;
	if (l.phnum > SD_FILL_PHNUM_MAX) {
		err = sd_error_create(SD_ERROR_INPUT, "the derived core would have %zu segments",
				      l.phnum);
		goto fail;
	}
	l.phoff = cur;
	if (l.phoff > UINT64_MAX - (uint64_t)l.phnum * PHDR_SIZE) {
		err = sd_error_create(SD_ERROR_INPUT, "the derived core would be too large");
		goto fail;
	}
	l.size = l.phoff + (uint64_t)l.phnum * PHDR_SIZE;
	*ret = l;
	return NULL;
fail:
	free(l.adds);
	return err;
}

void sd_fill_layout_deinit(struct sd_fill_layout *l)
{
	free(l->adds);
	*l = (struct sd_fill_layout){ 0 };
}

static void encode_phdr(uint8_t *p, const struct sd_fill_seg *s)
{
	put(p, s->type, 4);
	put(p + 4, s->flags, 4);
	put(p + 8, s->offset, 8);
	put(p + 16, s->vaddr, 8);
	put(p + 24, s->paddr, 8);
	put(p + 32, s->filesz, 8);
	put(p + 40, s->memsz, 8);
	put(p + 48, s->align, 8);
}

void sd_fill_encode_phdrs(const struct sd_fill_seg *segs, size_t n_segs,
			  const struct sd_fill_layout *l, uint8_t *out)
{
	for (size_t i = 0; i < n_segs; i++) {
		struct sd_fill_seg s = segs[i];
		/* Absent is not zero: a reader must not take the rest as zeros. */
		if (s.type == PT_LOAD && s.memsz > s.filesz)
			s.memsz = s.filesz;
		encode_phdr(out + i * PHDR_SIZE, &s);
	}
	for (size_t i = 0; i < l->n_adds; i++) {
		const struct sd_fill_add *a = &l->adds[i];
		struct sd_fill_seg s = {
			.type = PT_LOAD, .flags = PF_R, .offset = a->out_offset, .vaddr = a->vaddr,
			.filesz = a->size, .memsz = a->size, .align = a->vaddr % PAGE ? 1 : PAGE,
		};
		encode_phdr(out + (n_segs + i) * PHDR_SIZE, &s);
	}
}

/* --- The derived core of a plan's dump ------------------------------------------------- */

/* A file that fills mappings: a plan item, its open file and how it was checked. */
struct source {
	size_t item;
	int fd;
	uint64_t size;
	const char *how;	/* NULL: not usable */
	char *why_not;		/* why not usable */
	bool has_gap;		/* some of its mappings lack bytes in the dump */
};

/*
 * The files filled in: what SOS reads as images from the core, the runtime
 * and the managed assemblies (measured: with those alone both dotnet-dump
 * and lldb+SOS give the same output as with every mapping filled; the
 * debuggers read other libraries from their archived files). The derived
 * core is not made without every one of them.
 */
static bool fill_item(const struct sd_item *it)
{
	return it->orig_path && (it->role == SD_ROLE_MANAGED ||
				 (it->role == SD_ROLE_LIBRARY &&
				  !strcmp(sd_basename(it->orig_path), "libcoreclr.so")));
}

static bool mapped_path_usable(const char *path)
{
	return path[0] == '/' && !sd_str_has_prefix(path, "/memfd:") &&
	       !sd_str_has_prefix(path, "/dev/") && !sd_str_has_suffix(path, " (deleted)");
}

static size_t pe_read(void *arg, uint64_t off, void *buf, size_t len)
{
	ssize_t n = sd_pread_full(*(const int *)arg, buf, len, (off_t)off);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * The bytes the dump holds at the start of the source's mapping at file
 * offset 0, compared with the file's: 1 equal, 0 different, -1 the dump
 * holds none (or they cannot be read).
 */
static int first_page_matches(int core_fd, uint64_t core_size, const struct sd_fill_seg *segs,
			      size_t n_segs, const struct sd_fill_map *m, int fd)
{
	for (size_t i = 0; i < n_segs; i++) {
		const struct sd_fill_seg *s = &segs[i];
		if (s->type != PT_LOAD || !s->filesz || s->vaddr != m->start)
			continue;
		uint64_t n = s->filesz < PAGE ? s->filesz : PAGE;
		if (n > m->end - m->start)
			n = m->end - m->start;
		if (s->offset > core_size || n > core_size - s->offset)
			return -1;
		uint8_t a[PAGE], b[PAGE];
		if (sd_pread_full(core_fd, a, n, (off_t)s->offset) != (ssize_t)n ||
		    sd_pread_full(fd, b, n, 0) != (ssize_t)n)
			return n ? 0 : -1;
		return !memcmp(a, b, n);
	}
	return -1;
}

/*
 * How the file of source src is known to be the one mapped (src->how), or
 * why it is not usable (src->why_not). A managed assembly whose bytes the
 * dump lacks entirely can only be checked by its size against the mapping
 * of the whole file (the runtime maps an assembly whole, at offset 0).
 */
static struct sd_error *check_source(const struct sd_plan *plan, int core_fd, uint64_t core_size,
				     const struct sd_fill_seg *segs, size_t n_segs,
				     const struct sd_fill_map *maps, size_t n_maps, size_t index,
				     struct source *src)
{
	const struct sd_item *it = &plan->items[src->item];
	struct stat st;
	if (it->status != SD_STATUS_FOUND || src->fd < 0 || fstat(src->fd, &st) < 0 ||
	    st.st_size <= 0) {
		bool mis = it->status == SD_STATUS_MISMATCH;
		if (asprintf(&src->why_not, "%s %s", it->orig_path,
			     mis ? "is not the file mapped (build-id or PE header differs)"
			     : it->status == SD_STATUS_FOUND ? "is empty"
			     : "was not found") < 0)
			return &sd_enomem;
		return NULL;
	}
	src->size = (uint64_t)st.st_size;
	const struct sd_fill_map *first = NULL;
	uint64_t round = 0;
	bool within = page_up(src->size, &round), whole = false;
	for (size_t i = 0; i < n_maps; i++) {
		const struct sd_fill_map *m = &maps[i];
		if (m->source != index)
			continue;
		if (!m->offset && !first)
			first = m;
		whole |= !m->offset && m->end - m->start == round;
		within &= m->offset <= round && m->end - m->start <= round - m->offset;
	}
	int same = first ? first_page_matches(core_fd, core_size, segs, n_segs, first, src->fd) : -1;
	const char *why = NULL;
	if (same == 0) {
		why = "its first page differs from the dump's copy";
	} else if (it->role != SD_ROLE_MANAGED) {
		if (!it->build_id.len || it->found_build_id.len)
			why = "it has no build-id to check it by";
		else if (same < 0)
			why = "the dump holds none of its first page to check it by";
		else
			src->how = "build-id, first page as in the dump";
	} else if (it->pe_known) {
		src->how = "PE header as in the dump";
	} else if (same > 0) {
		src->how = "first page as in the dump";
	} else {
		struct sd_pe_info pe;
		int fd = src->fd;
		struct sd_error *err = sd_pe_parse(pe_read, &fd, src->size, &pe);
		if (err) {
			if (err == &sd_enomem)
				return err;
			sd_error_destroy(err);
			why = "it is not a PE file";
		} else if (!whole || !within) {
			why = "its size does not fit the mappings of it";
		} else {
			src->how = "size only: the dump holds none of its bytes";
		}
	}
	if (why && asprintf(&src->why_not, "%s: %s", it->orig_path, why) < 0)
		return &sd_enomem;
	return NULL;
}

static bool pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	while (len) {
		ssize_t r = pwrite(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return true;
}

/* Copy len bytes of in at in_off to out at out_off. */
static struct sd_error *copy_range(int in, uint64_t in_off, int out, uint64_t out_off,
				   uint64_t len)
{
	bool plain = false;
	_cleanup_free_ char *buf = NULL;
	while (len) {
		size_t n = len > (1 << 20) ? (1 << 20) : (size_t)len;
		ssize_t r = -1;
		if (!plain) {
			loff_t io = (loff_t)in_off, oo = (loff_t)out_off;
			r = copy_file_range(in, &io, out, &oo, n, 0);
			if (r < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP || errno == EBADF)) {
				plain = true;
				continue;
			}
		} else {
			if (!buf && !(buf = malloc(1 << 20)))
				return &sd_enomem;
			r = sd_pread_full(in, buf, n, (off_t)in_off);
			if (r > 0 && !pwrite_full(out, buf, (size_t)r, (off_t)out_off))
				return sd_error_errno(errno, "writing the derived core");
		}
		if (r < 0)
			return sd_error_errno(errno, "copying into the derived core");
		if (r == 0)
			return sd_error_create(SD_ERROR_INPUT, "a file ended while copied");
		len -= (uint64_t)r;
		in_off += (uint64_t)r;
		out_off += (uint64_t)r;
	}
	return NULL;
}

static struct sd_error *write_core(int core_fd, uint64_t core_size, const uint8_t *ehdr,
				   const struct sd_fill_seg *segs, size_t n_segs,
				   const struct sd_fill_layout *l, const struct source *sources,
				   int out)
{
	if (ftruncate(out, (off_t)l->size) < 0)
		return sd_error_errno(errno, "the derived core (%" PRIu64 " bytes)", l->size);
	_cleanup_free_ struct sd_extent *ext = NULL;
	size_t n_ext;
	struct sd_error *err = sd_file_extents(core_fd, core_size, &ext, &n_ext);
	for (size_t i = 0; !err && i < n_ext; i++)
		err = copy_range(core_fd, ext[i].off, out, ext[i].off, ext[i].len);
	for (size_t i = 0; !err && i < l->n_adds; i++) {
		const struct sd_fill_add *a = &l->adds[i];
		err = copy_range(sources[a->source].fd, a->source_offset, out, a->out_offset,
				 a->size);
	}
	if (err)
		return err;
	_cleanup_free_ uint8_t *ph = malloc(l->phnum * PHDR_SIZE);
	if (!ph)
		return &sd_enomem;
	sd_fill_encode_phdrs(segs, n_segs, l, ph);
	uint8_t h[EHDR_SIZE];
	memcpy(h, ehdr, EHDR_SIZE);
	put(h + 32, l->phoff, 8);
	put(h + 56, l->phnum, 2);
	if (!pwrite_full(out, ph, l->phnum * PHDR_SIZE, (off_t)l->phoff) ||
	    !pwrite_full(out, h, EHDR_SIZE, 0))
		return sd_error_errno(errno, "writing the derived core");
	return NULL;
}

struct fill {
	uint8_t ehdr[EHDR_SIZE];
	struct sd_fill_seg *segs;
	size_t n_segs;
	struct sd_file_note nt;
	struct sd_fill_map *maps;
	struct source *sources;
	size_t n_sources;
	struct sd_fill_layout layout;
};

static void fill_deinit(struct fill *f)
{
	free(f->segs);
	sd_file_note_deinit(&f->nt);
	free(f->maps);
	for (size_t i = 0; i < f->n_sources; i++)
		free(f->sources[i].why_not);
	free(f->sources);
	sd_fill_layout_deinit(&f->layout);
}

/* The dump's header, program headers and NT_FILE note; *ret_why set if unusable. */
static struct sd_error *read_core(int fd, uint64_t size, struct fill *f, const char **ret_why)
{
	uint64_t phoff;
	size_t phnum;
	if (sd_pread_full(fd, f->ehdr, EHDR_SIZE, 0) != EHDR_SIZE) {
		*ret_why = "its ELF header cannot be read";
		return NULL;
	}
	struct sd_error *err = sd_fill_parse_ehdr(f->ehdr, EHDR_SIZE, size, &phoff, &phnum);
	if (err) {
		sd_error_destroy(err);
		*ret_why = "its ELF header is not one this can rewrite";
		return NULL;
	}
	_cleanup_free_ uint8_t *ph = malloc(phnum * PHDR_SIZE);
	if (!ph)
		return &sd_enomem;
	if (sd_pread_full(fd, ph, phnum * PHDR_SIZE, (off_t)phoff) != (ssize_t)(phnum * PHDR_SIZE)) {
		*ret_why = "its program headers cannot be read";
		return NULL;
	}
	if ((err = sd_fill_parse_phdrs(ph, phnum * PHDR_SIZE, phnum, &f->segs)))
		return err;
	f->n_segs = phnum;
	uint64_t read = 0;	/* note bytes read, at most NOTE_SEG_MAX in all */
	for (size_t i = 0; i < phnum && !f->nt.n; i++) {
		const struct sd_fill_seg *s = &f->segs[i];
		if (s->type != PT_NOTE || !s->filesz || s->filesz > NOTE_SEG_MAX - read ||
		    s->offset > size || s->filesz > size - s->offset)
			continue;
		read += s->filesz;
		_cleanup_free_ uint8_t *note = malloc(s->filesz);
		if (!note)
			return &sd_enomem;
		if (sd_pread_full(fd, note, s->filesz, (off_t)s->offset) != (ssize_t)s->filesz)
			continue;
		sd_file_note_deinit(&f->nt);	/* an earlier note with no entries */
		if ((err = sd_fill_find_nt_file(note, s->filesz, &f->nt))) {
			if (err == &sd_enomem)
				return err;
			sd_error_destroy(err);
		}
	}
	if (!f->nt.n)
		*ret_why = "it has no usable NT_FILE note";
	return NULL;
}

/* The sources of the NT_FILE mappings: items of the plan, one per file. */
static struct sd_error *match_sources(const struct sd_plan *plan, const struct sd_files *files,
				      struct fill *f)
{
	size_t n = f->nt.n < MAPS_MAX ? f->nt.n : MAPS_MAX;
	if (!(f->maps = calloc(n ? n : 1, sizeof(*f->maps))) ||
	    !(f->sources = calloc(n ? n : 1, sizeof(*f->sources))))
		return &sd_enomem;
	for (size_t i = 0; i < n; i++) {
		const struct sd_file_mapping *fm = &f->nt.maps[i];
		struct sd_fill_map *m = &f->maps[i];
		*m = (struct sd_fill_map){ .start = fm->start, .end = fm->end, .source = SIZE_MAX };
		if (!f->nt.page_size || fm->pgoff > UINT64_MAX / f->nt.page_size ||
		    fm->end <= fm->start || !mapped_path_usable(fm->path))
			continue;
		m->offset = fm->pgoff * f->nt.page_size;
		size_t item = SIZE_MAX;
		for (size_t k = 0; k < plan->n_items && item == SIZE_MAX; k++) {
			const struct sd_item *it = &plan->items[k];
			if (fill_item(it) && !strcmp(it->orig_path, fm->path))
				item = k;
		}
		if (item == SIZE_MAX)
			continue;
		size_t s = 0;
		while (s < f->n_sources && f->sources[s].item != item)
			s++;
		if (s == f->n_sources)
			f->sources[f->n_sources++] = (struct source){
				.item = item, .fd = sd_files_fd(files, item) };
		m->source = s;
	}
	return NULL;
}

static struct sd_error *no_derived_core(struct sd_plan *plan, const char *why)
{
	return sd_plan_note(plan, "no derived core for dotnet-dump and SOS (" SD_DERIVED_CORE_SUFFIX "): %s",
			    why);
}

/* The sources of the mappings the dump lacks bytes of. */
static struct sd_error *mark_gaps(struct fill *f, uint64_t core_size)
{
	_cleanup_free_ uint64_t *sizes = malloc((f->n_sources ? f->n_sources : 1) * sizeof(*sizes));
	if (!sizes)
		return &sd_enomem;
	for (size_t i = 0; i < f->n_sources; i++)
		sizes[i] = UINT64_MAX;
	struct sd_fill_layout l;
	size_t n_maps = f->nt.n < MAPS_MAX ? f->nt.n : MAPS_MAX;
	struct sd_error *err = sd_fill_plan(f->segs, f->n_segs, core_size, f->maps, n_maps,
					    sizes, f->n_sources, &l);
	if (err)
		return err;
	for (size_t i = 0; i < l.n_adds; i++)
		f->sources[l.adds[i].source].has_gap = true;
	sd_fill_layout_deinit(&l);
	return NULL;
}

/* What filled the derived core, for its manifest entry. */
static struct sd_error *describe(const struct sd_plan *plan, const struct fill *f,
				 uint64_t added, char **ret)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);
	if (!m)
		return &sd_enomem;
	fprintf(m, "derived from the dump for dotnet-dump and SOS (the dump is archived unchanged): "
		"every PT_LOAD's p_memsz cut to its p_filesz (absent, not zeros), and %zu read-only "
		"PT_LOADs (%" PRIu64 " bytes) added for the parts of libcoreclr.so's and the "
		"managed assemblies' mappings the dump lacks (SOS reads those images from the "
		"core only), read from the archived files at the mappings' offsets:", f->layout.n_adds, added);
	const char *sep = " ";
	for (size_t i = 0; i < f->n_sources; i++) {
		const struct source *src = &f->sources[i];
		if (!src->has_gap || !src->how)
			continue;
		fprintf(m, "%s%s (%s)", sep, plan->items[src->item].orig_path, src->how);
		sep = ", ";
	}
	fputs("; the other mappings the dump lacks stay absent (the debuggers read those "
	      "libraries from their archived files); run-dotnet-dump.sh and run-lldb.sh open it, "
	      "run-gdb.sh the dump", m);
	if (fclose(m) != 0) {
		free(s);
		return &sd_enomem;
	}
	*ret = s;
	return NULL;
}

static struct sd_error *fill_core(struct sd_plan *plan, struct sd_files *files, int core_fd,
				  const struct sd_fill_options *opts, struct fill *f)
{
	struct stat st;
	const char *why = NULL;
	struct sd_error *err;
	if (fstat(core_fd, &st) < 0 || st.st_size <= 0)
		return no_derived_core(plan, "the dump cannot be read again");
	uint64_t core_size = (uint64_t)st.st_size;
	if ((err = read_core(core_fd, core_size, f, &why)))
		return err;
	if (why)
		return no_derived_core(plan, why);
	if ((err = match_sources(plan, files, f)))
		return err;
	if ((err = mark_gaps(f, core_size))) {
		if (err == &sd_enomem)
			return err;
		struct sd_error *e = no_derived_core(plan, err->message);
		sd_error_destroy(err);
		return e;
	}
	for (size_t i = 0; i < f->n_sources; i++)
		if (f->sources[i].has_gap &&
		    (err = check_source(plan, core_fd, core_size, f->segs, f->n_segs, f->maps,
					f->nt.n < MAPS_MAX ? f->nt.n : MAPS_MAX, i, &f->sources[i])))
			return err;
	/* The runtime and every assembly the dump lacks must be there and be the ones mapped. */
	for (size_t i = 0; i < f->n_sources; i++) {
		const struct source *src = &f->sources[i];
		if (src->has_gap && !src->how)
			return no_derived_core(plan, src->why_not);
	}
	size_t n_maps = f->nt.n < MAPS_MAX ? f->nt.n : MAPS_MAX;
	_cleanup_free_ uint64_t *sizes = malloc((f->n_sources ? f->n_sources : 1) * sizeof(*sizes));
	if (!sizes)
		return &sd_enomem;
	for (size_t i = 0; i < n_maps; i++)
		if (f->maps[i].source != SIZE_MAX && !f->sources[f->maps[i].source].how)
			f->maps[i].source = SIZE_MAX;
	for (size_t i = 0; i < f->n_sources; i++)
		sizes[i] = f->sources[i].size;
	if ((err = sd_fill_plan(f->segs, f->n_segs, core_size, f->maps, n_maps, sizes,
				f->n_sources, &f->layout))) {
		if (err == &sd_enomem)
			return err;
		struct sd_error *e = no_derived_core(plan, err->message);
		sd_error_destroy(err);
		return e;
	}
	if (!f->layout.n_adds)
		return no_derived_core(plan, "no file fills what the dump lacks");
	uint64_t added = 0;
	size_t used = 0;
	for (size_t i = 0; i < f->layout.n_adds; i++)
		added += f->layout.adds[i].size;
	for (size_t i = 0; i < f->n_sources; i++)
		used += f->sources[i].has_gap && f->sources[i].how;
	if (opts->max_bytes && f->layout.size > opts->max_bytes) {
		_cleanup_free_ char *w = NULL;
		if (asprintf(&w, "it would be %" PRIu64 " bytes, more than %s allows", f->layout.size,
			     opts->why_max) < 0)
			return &sd_enomem;
		return no_derived_core(plan, w);
	}
	int out = open(opts->work_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (out < 0) {
		_cleanup_free_ char *w = NULL;
		if (asprintf(&w, "%s: cannot create a temporary file: %s", opts->work_dir,
			     strerror(errno)) < 0)
			return &sd_enomem;
		return no_derived_core(plan, w);
	}
	if ((err = write_core(core_fd, core_size, f->ehdr, f->segs, f->n_segs, &f->layout,
			      f->sources, out))) {
		close(out);
		if (err == &sd_enomem)
			return err;
		struct sd_error *e = no_derived_core(plan, err->message);
		sd_error_destroy(err);
		return e;
	}
	_cleanup_free_ char *reason = NULL;
	if ((err = describe(plan, f, added, &reason))) {
		close(out);
		return err;
	}
	const char *dump_name = plan->items[0].name ? plan->items[0].name : "core";
	struct sd_item *it;
	if ((err = sd_plan_add(plan, SD_ROLE_DOTNET_CORE, SD_STATUS_FOUND, &it))) {
		close(out);
		return err;
	}
	size_t index = (size_t)(it - plan->items);
	it->size = f->layout.size;
	it->optional = true;
	it->reason = take_ptr(reason);
	if (asprintf(&it->name, "%s" SD_DERIVED_CORE_SUFFIX, dump_name) < 0) {
		it->name = NULL;
		close(out);
		return &sd_enomem;
	}
	if ((err = sd_files_set(files, index, out)))
		return err;
	return sd_plan_note(plan, "a derived core for dotnet-dump and SOS, beside the dump with "
			    SD_DERIVED_CORE_SUFFIX " appended (%" PRIu64 " bytes, %" PRIu64 " of them "
			    "added from %zu files): see its entry", f->layout.size, added, used);
}

struct sd_error *sd_fill_core_add(struct sd_plan *plan, struct sd_files *files, int core_fd,
				  const struct sd_fill_options *opts)
{
	bool unreadable = false;
	for (size_t i = 0; i < plan->notes.n; i++)
		unreadable |= sd_str_has_prefix(plan->notes.v[i], SD_FILL_UNREADABLE_NOTE);
	for (size_t i = 0; i < plan->n_items; i++)
		if (plan->items[i].role == SD_ROLE_DOTNET_CORE)
			return NULL;	/* made already */
	if (!unreadable || plan->kind != SD_DUMP_USERLAND)
		return NULL;
	struct fill f = { 0 };
	struct sd_error *err = fill_core(plan, files, core_fd, opts, &f);
	fill_deinit(&f);
	return err;
}
