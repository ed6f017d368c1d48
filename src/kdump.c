// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "kdump.h"
#include "sandbox.h"
#include "util.h"
#include "vmcoreinfo.h"

/* A PT_LOAD segment with a virtual address (see elf_segments()). */
struct vseg {
	uint64_t vaddr, filesz, memsz, offset;
};

struct sd_kdump {
	kdump_ctx_t *ctx;
	char *vmcoreinfo;
	char *arch;
	char *format;
	char *release;
	struct vseg *segs;	/* ELF dumps: segments with virtual addresses */
	size_t n_segs;
	int fd;
};

static struct sd_error *kd_error(struct sd_kdump *k, const char *name, const char *what)
{
	/* kdump_get_err() describes the last failure; the next call resets it. */
	const char *msg = kdump_get_err(k->ctx);
	return sd_error_create(SD_ERROR_INPUT, "%s: %s: %s", name, what,
			       msg ? msg : "libkdumpfile error");
}

static const char *get_string(struct sd_kdump *k, const char *key)
{
	const char *s = NULL;
	if (kdump_get_string_attr(k->ctx, key, &s) != KDUMP_OK)
		return NULL;
	return s && *s ? s : NULL;
}

/*
 * The raw VMCOREINFO text, read from the attribute (a blob) rather than with
 * kdump_vmcoreinfo_raw(), which in 0.5.1 fails before the OS type is set
 * and returns no text after it. Capped like the kernel's own buffer.
 */
static char *vmcoreinfo_copy(struct sd_kdump *k)
{
	kdump_attr_t a;
	if (kdump_get_attr(k->ctx, "linux.vmcoreinfo.raw", &a) != KDUMP_OK || a.type != KDUMP_BLOB)
		return NULL;
	size_t size = kdump_blob_size(a.val.blob);
	const char *p = kdump_blob_pin(a.val.blob);
	char *copy = NULL;
	if (p && size > 0 && size <= SD_VMCOREINFO_MAX)
		copy = strndup(p, size);
	kdump_blob_unpin(a.val.blob);
	return copy;
}

/*
 * An ELF vmcore's PT_LOAD segments that carry virtual addresses, sorted.
 * savedump reads kernel virtual addresses there first, exactly as the dump
 * states them, and asks libkdumpfile (page tables) only for the rest:
 * libkdumpfile 0.5.1 reads zeros for module (vmalloc) addresses in QEMU's
 * paging dumps (dump-guest-memory -p), and takes e_phnum at face value, so
 * it loses every segment past 65535 in dumps with PN_XNUM program headers.
 */
enum { MAX_SEGMENTS = 1 << 22 };

static int vseg_cmp(const void *a, const void *b)
{
	const struct vseg *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static uint64_t rd(const uint8_t *p, unsigned size, bool be)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

/* Read the segment table; on any inconsistency, none (libkdumpfile does it all). */
static void elf_segments(struct sd_kdump *k, int fd)
{
	uint8_t h[64];
	struct stat st;
	if (fstat(fd, &st) < 0 || sd_pread_full(fd, h, sizeof(h), 0) != sizeof(h) ||
	    memcmp(h, ELFMAG, SELFMAG) || h[EI_CLASS] != ELFCLASS64)
		return;
	bool be = h[EI_DATA] == ELFDATA2MSB;
	uint64_t phoff = rd(h + 32, 8, be), shoff = rd(h + 40, 8, be);
	uint64_t phentsize = rd(h + 54, 2, be), phnum = rd(h + 56, 2, be);
	if (phnum == PN_XNUM) {	/* the real count is section 0's sh_info */
		uint8_t sh[64];
		if (!shoff || sd_pread_full(fd, sh, sizeof(sh), (off_t)shoff) != sizeof(sh))
			return;
		phnum = rd(sh + 44, 4, be);
	}
	if (phentsize != 56 || phnum == 0 || phnum > MAX_SEGMENTS ||
	    phoff > (uint64_t)st.st_size || phnum * 56 > (uint64_t)st.st_size - phoff)
		return;
	uint8_t *ph = malloc(phnum * 56);
	struct vseg *v = malloc(phnum * sizeof(*v));
	size_t n = 0;
	if (!ph || !v || sd_pread_full(fd, ph, phnum * 56, (off_t)phoff) != (ssize_t)(phnum * 56))
		goto fail;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = ph + i * 56;
		struct vseg s = { .vaddr = rd(p + 16, 8, be), .offset = rd(p + 8, 8, be),
				  .filesz = rd(p + 32, 8, be), .memsz = rd(p + 40, 8, be) };
		if (rd(p, 4, be) != PT_LOAD || s.vaddr == 0 || s.memsz == 0)
			continue;
		/* Only what lies in the file: a hostile header cannot send reads elsewhere. */
		if (s.offset > (uint64_t)st.st_size || s.filesz > (uint64_t)st.st_size - s.offset ||
		    s.filesz > s.memsz || s.vaddr + s.memsz < s.vaddr)
			goto fail;
		v[n++] = s;
	}
	if (!n)
		goto fail;
	qsort(v, n, sizeof(*v), vseg_cmp);
	free(ph);
	k->segs = v;
	k->n_segs = n;
	k->fd = fd;
	return;
fail:
	free(ph);
	free(v);
}

/* The segment holding addr, or NULL. */
static const struct vseg *find_seg(const struct sd_kdump *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n_segs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->segs[mid].vaddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct vseg *s = &k->segs[lo - 1];
	return addr - s->vaddr < s->memsz ? s : NULL;
}

/* The architecture from VMCOREINFO entries only one architecture exports. */
static const char *arch_from_vmcoreinfo(const char *vi)
{
	if (!vi)
		return NULL;
	if (strstr(vi, "SYMBOL(init_top_pgt)=") || strstr(vi, "NUMBER(pgtable_l5_enabled)="))
		return "x86_64";
	if (strstr(vi, "NUMBER(kimage_voffset)="))
		return "aarch64";
	if (strstr(vi, "SYMBOL(swapper_pg_dir)=") && strstr(vi, "NUMBER(VA_BITS)="))
		return "aarch64";
	if (strstr(vi, "SYMBOL(lowcore_ptr)="))
		return "s390x";
	if (strstr(vi, "SYMBOL(mmu_psize_defs)="))
		return "ppc64";
	return NULL;
}

static struct sd_error *kdump_open(int fd, const char *name, const char *arch_hint,
				   struct sd_kdump **ret)
{
	struct sd_kdump *k = calloc(1, sizeof(*k));
	if (!k)
		return &sd_enomem;
	struct sd_error *err = NULL;
	k->ctx = kdump_new();
	if (!k->ctx) {
		free(k);
		return &sd_enomem;
	}
	if (kdump_open_fd(k->ctx, fd) != KDUMP_OK) {
		err = kd_error(k, name, "cannot open the dump");
		/*
		 * After a failed open libkdumpfile 0.5.1 keeps the format's
		 * methods but has freed their data (diskdump.c open_common()),
		 * so kdump_free() would crash: the context is abandoned.
		 */
		k->ctx = NULL;
		goto fail;
	}
	k->vmcoreinfo = vmcoreinfo_copy(k);
	elf_segments(k, fd);
	const char *fmt = get_string(k, KDUMP_ATTR_FILE_FORMAT);
	k->format = strdup(fmt ? fmt : "unknown");

	/* Must be set before any KVADDR read, or no translation is set up. */
	const char *arch = get_string(k, KDUMP_ATTR_ARCH_NAME);
	if (!arch) {
		arch = arch_hint ? arch_hint : arch_from_vmcoreinfo(k->vmcoreinfo);
		if (!arch) {
			err = sd_error_create(SD_ERROR_INPUT,
					      "%s: the dump does not say its architecture", name);
			goto fail;
		}
		if (kdump_set_string_attr(k->ctx, KDUMP_ATTR_ARCH_NAME, arch) != KDUMP_OK) {
			err = kd_error(k, name, "cannot set the architecture");
			goto fail;
		}
		arch = get_string(k, KDUMP_ATTR_ARCH_NAME);
	}
	k->arch = strdup(arch ? arch : "unknown");
	if (kdump_set_string_attr(k->ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
		err = kd_error(k, name, "cannot set up Linux address translation");
		goto fail;
	}
	const char *rel = get_string(k, "linux.uts.release");
	if (rel)
		k->release = strdup(rel);
	if (!k->format || !k->arch) {
		err = &sd_enomem;
		goto fail;
	}
	*ret = k;
	return NULL;
fail:
	sd_kdump_destroy(k);
	return err;
}

/* --- the first open, in a sandbox ------------------------------------------------------- */

struct trial {
	int fd;
	const char *name, *arch_hint;
};

/* In the child: open the dump as the parent will; send back 'K', or 'E' and the error. */
static int trial_open(void *arg, int out_fd)
{
	const struct trial *t = arg;
	struct sd_kdump *k;
	struct sd_error *err = kdump_open(t->fd, t->name, t->arch_hint, &k);
	if (err == &sd_enomem)
		return SD_SANDBOX_EXIT_NOMEM;
	const char *msg = err ? err->message : "";
	/* No clean-up: the process ends here. */
	return sd_write_full(out_fd, err ? "E" : "K", 1) && sd_write_full(out_fd, msg, strlen(msg))
	       ? 0 : 1;
}

/*
 * libkdumpfile parses the headers, the notes and VMCOREINFO of the dump
 * when it opens it and sets up address translation, and crashes on some
 * damaged ones (see dump.c and vmcoreinfo.c for those refused before).
 * So the dump is first opened, exactly as below, in a child process with
 * limits (sandbox.h): only if that went through is it opened here. Reads
 * of the dump's memory later are not covered.
 */
struct sd_error *sd_kdump_open(int fd, const char *name, const char *arch_hint,
			       struct sd_kdump **ret)
{
	struct sd_error *err = sd_dump_check_kernel(fd, name);
	if (err)
		return err;
	_cleanup_free_ char *who = NULL;
	if (asprintf(&who, "%s: libkdumpfile", name) < 0)
		return &sd_enomem;
	/* Generous CPU time: the capture kernel may run under emulation (QEMU TCG). */
	const struct sd_sandbox sb = { .who = who, .doing = "reading the dump", .cpu_seconds = 30 };
	struct trial t = { .fd = fd, .name = name, .arch_hint = arch_hint };
	_cleanup_free_ char *result = NULL;
	size_t len;
	if ((err = sd_sandbox_run(&sb, trial_open, &t, (void **)&result, &len)))
		return err;
	if (len == 0 || result[0] != 'K')
		return sd_error_create(SD_ERROR_INPUT, "%s", len && result[0] == 'E' ? result + 1
							     : "libkdumpfile: no result");
	return kdump_open(fd, name, arch_hint, ret);
}

void sd_kdump_destroy(struct sd_kdump *k)
{
	if (!k)
		return;
	if (k->ctx)
		kdump_free(k->ctx);
	free(k->vmcoreinfo);
	free(k->arch);
	free(k->format);
	free(k->release);
	free(k->segs);
	free(k);
}

const char *sd_kdump_format(struct sd_kdump *k)
{
	return k->format;
}

const char *sd_kdump_arch(struct sd_kdump *k)
{
	return k->arch;
}

const char *sd_kdump_vmcoreinfo(struct sd_kdump *k)
{
	return k->vmcoreinfo;
}

const char *sd_kdump_release(struct sd_kdump *k)
{
	return k->release;
}

static size_t kd_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct sd_kdump *k = arg;
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done;
		size_t want = len - done, n;
		const struct vseg *s = k->n_segs ? find_seg(k, a) : NULL;
		if (s) {
			uint64_t in = a - s->vaddr, left = s->memsz - in;
			if (want > left)
				want = (size_t)left;
			n = 0;
			if (in < s->filesz) {
				n = want < s->filesz - in ? want : (size_t)(s->filesz - in);
				if (sd_pread_full(k->fd, (char *)buf + done, n, (off_t)(s->offset + in)) !=
				    (ssize_t)n)
					break;
			}
			/* Past filesz, within memsz: zeros (as the ELF format says). */
			memset((char *)buf + done + n, 0, want - n);
			n = want;
		} else {
			n = want;
			if (kdump_read(k->ctx, KDUMP_KVADDR, a, (char *)buf + done, &n) != KDUMP_OK &&
			    n == 0)
				break;
			if (n > want)
				break;
		}
		done += n;
	}
	return done;
}

void sd_kdump_kmem(struct sd_kdump *k, struct sd_kmem *ret)
{
	kdump_num_t v;
	ret->read = kd_read;
	ret->arg = k;
	ret->ptr_size = kdump_get_number_attr(k->ctx, KDUMP_ATTR_PTR_SIZE, &v) == KDUMP_OK ? (unsigned)v : 8;
	ret->big_endian = kdump_get_number_attr(k->ctx, KDUMP_ATTR_BYTE_ORDER, &v) == KDUMP_OK &&
			  v == KDUMP_BIG_ENDIAN;
}
