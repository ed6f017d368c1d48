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
#include "elfutils.h"
#include "kdump.h"
#include "util.h"
#include "vmcoreinfo.h"

struct sd_kdump {
	kdump_ctx_t *ctx;
	char *vmcoreinfo;
	char *arch;
	char *format;
	char *release;
	struct sd_elf_segment *segs;	/* ELF dumps: segments with virtual addresses */
	size_t n_segs;
	int fd;
	char *damage;	/* the first read that found the file's bytes damaged, or NULL */
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

/* Read the segment table; on any inconsistency, none (libkdumpfile does it all). */
static void elf_segments(struct sd_kdump *k, int fd)
{
	struct sd_elf_segment *v;
	size_t n;
	struct sd_error *err = sd_elf_load_segments(fd, &v, &n);
	if (err) {
		sd_error_destroy(err);
		return;
	}
	k->segs = v;
	k->n_segs = n;
	k->fd = fd;
}

/* The segment holding addr, or NULL. */
static const struct sd_elf_segment *find_seg(const struct sd_kdump *k, uint64_t addr)
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
	const struct sd_elf_segment *s = &k->segs[lo - 1];
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

/*
 * libkdumpfile parses the headers, the notes and VMCOREINFO of the dump
 * when it opens it and sets up address translation, and crashes on some
 * damaged ones: those known are refused before (dump.c, vmcoreinfo.c), and
 * the whole inspection, this open and every later read of the dump's
 * memory, runs in a sandboxed child (pipeline.c, sandbox.h).
 */
struct sd_error *sd_kdump_open(int fd, const char *name, const char *arch_hint,
			       struct sd_kdump **ret)
{
	struct sd_error *err = sd_dump_check_kernel(fd, name);
	if (err)
		return err;
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
	free(k->damage);
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

/* Not the address read: the same damage found by each inspection step is said once. */
static void read_damage(struct sd_kdump *k, const char *msg)
{
	if (k->damage)
		return;
	if (asprintf(&k->damage, "the dump's data cannot be read (truncated or corrupt): %s",
		     msg ? msg : "libkdumpfile error") < 0)
		k->damage = NULL;
}

const char *sd_kdump_damage(const struct sd_kdump *k)
{
	return k->damage;
}

static size_t kd_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct sd_kdump *k = arg;
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done;
		size_t want = len - done, n;
		const struct sd_elf_segment *s = k->n_segs ? find_seg(k, a) : NULL;
		if (s) {
			uint64_t in = a - s->vaddr, left = s->memsz - in;
			if (want > left)
				want = (size_t)left;
			n = 0;
			if (in < s->filesz) {
				n = want < s->filesz - in ? want : (size_t)(s->filesz - in);
				if (sd_pread_full(k->fd, (char *)buf + done, n, (off_t)(s->offset + in)) !=
				    (ssize_t)n) {
					read_damage(k, "the file ends (or fails) inside its segment");
					break;
				}
			}
			/* Past filesz, within memsz: zeros (as the ELF format says). */
			memset((char *)buf + done + n, 0, want - n);
			n = want;
		} else {
			n = want;
			kdump_status st = kdump_read(k->ctx, KDUMP_KVADDR, a, (char *)buf + done, &n);
			if (st != KDUMP_OK && n == 0) {
				/*
				 * A page filtered out (NODATA) or an address that is not
				 * mapped (ADDRXLAT, NOKEY, INVALID) is an answer; a page
				 * whose data is cut off or does not decompress is damage.
				 */
				if (st == KDUMP_ERR_CORRUPT || st == KDUMP_ERR_EOF ||
				    st == KDUMP_ERR_SYSTEM)
					read_damage(k, kdump_get_err(k->ctx));
				break;
			}
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
