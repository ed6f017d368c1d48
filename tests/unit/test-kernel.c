// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel-dump decoders (kallsyms, printk ringbuffer and log_buf,
 * VMCOREINFO) on synthetic memory laid out as the kernel lays it out, and
 * on corrupt variants of it: bad values must give an error, never a crash
 * or a read outside the buffer (run under ASan in CI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

#include "flatten.h"
#include "kallsyms.h"
#include "kmodules.h"
#include "layouts.h"
#include "printk.h"
#include "tap.h"
#include "vmcoreinfo.h"

static struct sd_vmcoreinfo vmcoreinfo(const char *text)
{
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(text, strlen(text), &vi);
	if (err) {
		printf("Bail out! cannot parse test VMCOREINFO\n");
		exit(1);
	}
	return vi;
}

/* --- kallsyms ------------------------------------------------------------------------------ */

static void test_kallsyms(void)
{
	struct sd_vmcoreinfo vi = vmcoreinfo(ks_vmcoreinfo);
	for (int abs = 1; abs >= 0; abs--) {
		struct mem m = kallsyms_mem(abs);
		struct sd_kmem km = { .read = mem_read, .arg = &m, .ptr_size = 8 };
		struct sd_kallsyms *ks = NULL;
		struct sd_error *err = sd_kallsyms_load(&km, &vi, &ks);
		const char *how = abs ? "absolute per-cpu" : "relative";
		if (!ok(!err, "kallsyms (%s) loads", how)) {
			if (err)
				printf("# %s\n", err->message);
			sd_error_destroy(err);
			free(m.bytes);
			continue;
		}
		uint64_t a = 0;
		ok(sd_kallsyms_lookup(ks, "modules", &a) && a == relbase + 0x2000,
		   "%s: modules at relative_base + 0x2000", how);
		ok(sd_kallsyms_lookup(ks, "__stop_BTF", &a) && a == relbase + 0x4000,
		   "%s: __stop_BTF", how);
		ok(sd_kallsyms_lookup(ks, "percpu_x", &a) &&
		   a == (abs ? 0x1c0 : relbase + 0x1c0), "%s: a per-cpu symbol", how);
		ok(!sd_kallsyms_lookup(ks, "nosuch", &a), "%s: unknown name not found", how);
		char buf[512];
		ok(sd_kallsyms_symbol(ks, 5, buf, sizeof(buf), &a) && !strcmp(buf, big_name),
		   "%s: a 'big' symbol of 300 characters decodes", how);
		ok(!sd_kallsyms_symbol(ks, 5, buf, 100, &a), "%s: it does not fit a short buffer",
		   how);
		sd_kallsyms_destroy(ks);
		free(m.bytes);
	}

	/* Corrupt variants: each must be refused or degrade, never read out of bounds. */
	struct mem m = kallsyms_mem(true);
	struct sd_kmem km = { .read = mem_read, .arg = &m, .ptr_size = 8 };
	struct sd_kallsyms *ks = NULL;
	struct sd_error *err;

	put(&m, KS_NUM, 0xffffffff, 4);
	err = sd_kallsyms_load(&km, &vi, &ks);
	ok(err && err->code == SD_ERROR_INPUT, "absurd kallsyms_num_syms is refused");
	sd_error_destroy(err);

	/* More names than the stream holds before memory ends. */
	put(&m, KS_NUM, 100000, 4);
	err = sd_kallsyms_load(&km, &vi, &ks);
	ok(err && strstr(err->message, "runs past"), "names running off the map are refused");
	sd_error_destroy(err);
	put(&m, KS_NUM, NSYMS, 4);

	m.bytes[KS_NAMES - KS_BASE] = 0;	/* an empty entry */
	err = sd_kallsyms_load(&km, &vi, &ks);
	ok(err && err->code == SD_ERROR_INPUT, "an empty name entry is refused");
	sd_error_destroy(err);
	free(m.bytes);

	/* Token index pointing past the table: symbols do not decode, nothing overruns. */
	m = kallsyms_mem(true);
	km.arg = &m;
	for (int i = 0; i < 256; i++)
		put(&m, KS_TOKIDX + 2 * (uint64_t)i, 0xff00, 2);
	err = sd_kallsyms_load(&km, &vi, &ks);
	ok(err && err->code == SD_ERROR_INPUT, "a token index past the dump is refused");
	sd_error_destroy(err);
	free(m.bytes);

	struct sd_vmcoreinfo off_map = vmcoreinfo(
		"SYMBOL(kallsyms_num_syms)=dead0000\nSYMBOL(kallsyms_token_table)=10100\n"
		"SYMBOL(kallsyms_token_index)=11000\nSYMBOL(kallsyms_offsets)=11400\n"
		"SYMBOL(kallsyms_relative_base)=11800\nSYMBOL(kallsyms_names)=12000\n");
	m = kallsyms_mem(true);
	km.arg = &m;
	err = sd_kallsyms_load(&km, &off_map, &ks);
	ok(err && err->code == SD_ERROR_INPUT, "kallsyms pointers off the map are refused");
	sd_error_destroy(err);
	struct sd_vmcoreinfo none = vmcoreinfo("OSRELEASE=5.15.0\n");
	err = sd_kallsyms_load(&km, &none, &ks);
	ok(err && strstr(err->message, "VMCOREINFO"), "no kallsyms in VMCOREINFO says so");
	sd_error_destroy(err);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&off_map);
	sd_vmcoreinfo_deinit(&none);
	sd_vmcoreinfo_deinit(&vi);
}

/* --- printk -------------------------------------------------------------------------------- */

static char *printk_text(struct mem *m, const struct sd_vmcoreinfo *vi, size_t *records,
			 struct sd_error **ret_err)
{
	struct sd_kmem km = { .read = mem_read, .arg = m, .ptr_size = 8 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	*ret_err = sd_printk_write(&km, vi, f, records);
	fclose(f);
	return text;
}

static void test_printk(void)
{
	struct sd_vmcoreinfo vi = vmcoreinfo(prb_vmcoreinfo);
	struct mem m = prb_mem();
	size_t records = 0;
	struct sd_error *err;
	char *text = printk_text(&m, &vi, &records, &err);
	ok(!err && records == 3, "ringbuffer: three records");
	is_str(text, "[    1.000000] hello\n[    2.500000] world!\n[    3.000001] wrapped\n",
	       "ringbuffer: records in order, the wrapped one read from the ring's start");
	free(text);

	/* A reserved (not yet committed) descriptor is skipped. */
	put(&m, P_DESCS + (5 % 4) * 24, 5, 8);
	text = printk_text(&m, &vi, &records, &err);
	ok(!err && records == 2 && !strstr(text, "world"), "ringbuffer: reserved record skipped");
	free(text);

	/* Corruption: absurd sizes and pointers off the map are refused. */
	put(&m, P_PRB + 48, 40, 4);
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "ringbuffer: absurd size_bits refused");
	sd_error_destroy(err);
	free(text);
	/* 70 is 6 modulo 64, what x86 shifts by: the range is checked before shifting. */
	put(&m, P_PRB + 48, 70, 4);
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "ringbuffer: size_bits of 64 or more refused");
	sd_error_destroy(err);
	free(text);
	put(&m, P_PRB + 48, 6, 4);
	put(&m, P_PRB + 8, 0xdead0000, 8);
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "ringbuffer: descriptors off the map refused");
	sd_error_destroy(err);
	free(text);
	put(&m, P_PRB + 8, P_DESCS, 8);
	/* lpos values that point anywhere are bounded by the ring. */
	put(&m, P_DESCS + 8, 0x7ffffffffffffff0, 8);
	put(&m, P_DESCS + 16, 0x7ffffffffffffff8, 8);
	text = printk_text(&m, &vi, &records, &err);
	ok(!err, "ringbuffer: wild block positions do not crash");
	free(text);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);

	/* Crafted sizes: every shift count and product is range-checked before use. */
	static const struct { uint64_t count_bits, size_bits; const char *what; } shifts[] = {
		{ 2, 0xffffffff, "size_bits 2^32-1 (a shift past 63)" },
		{ 2, 64, "size_bits 64" },
		{ 2, 27, "size_bits 27 (128 MiB of text)" },
		{ 2, 3, "size_bits 3" },
		{ 23, 6, "count_bits 23" },
		{ 0xffffffff, 6, "count_bits 2^32-1" },
	};
	vi = vmcoreinfo(prb_vmcoreinfo);
	m = prb_mem();
	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		put(&m, P_PRB + 0, shifts[i].count_bits, 4);
		put(&m, P_PRB + 48, shifts[i].size_bits, 4);
		text = printk_text(&m, &vi, &records, &err);
		ok(err && strstr(err->message, "sizes are out of range"), "ringbuffer: %s refused",
		   shifts[i].what);
		sd_error_destroy(err);
		free(text);
	}
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);
	/* Struct sizes, and count * struct size (a 4 TiB malloc once: 2^22 * 2^20). */
	static const struct { const char *line; uint64_t count_bits; const char *want; } sizes[] = {
		{ "SIZE(prb_desc)=1048576\n", 22, "size is out of range" },
		{ "SIZE(prb_desc)=65\n", 2, "size is out of range" },
		{ "SIZE(printk_info)=513\n", 2, "size is out of range" },
		{ "SIZE(printk_info)=512\n", 22, "rings are too large" },
		{ "SIZE(prb_desc)=64\n", 22, "rings are too large" },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char text_vi[sizeof(prb_vmcoreinfo) + 64];
		/* The first of two equal keys wins (sd_vmcoreinfo_get). */
		snprintf(text_vi, sizeof(text_vi), "%s%s", sizes[i].line, prb_vmcoreinfo);
		vi = vmcoreinfo(text_vi);
		m = prb_mem();
		put(&m, P_PRB + 0, sizes[i].count_bits, 4);
		text = printk_text(&m, &vi, &records, &err);
		ok(err && strstr(err->message, sizes[i].want), "ringbuffer: %.*s with count_bits %u "
		   "refused", (int)strlen(sizes[i].line) - 1, sizes[i].line,
		   (unsigned)sizes[i].count_bits);
		if (err && !strstr(err->message, sizes[i].want))
			printf("# got: %s\n", err->message);
		sd_error_destroy(err);
		free(text);
		free(m.bytes);
		sd_vmcoreinfo_deinit(&vi);
	}
	vi = vmcoreinfo(prb_vmcoreinfo);
	m = prb_mem();
	struct sd_kmem odd = { .read = mem_read, .arg = &m, .ptr_size = 0 };
	FILE *devnull = fopen("/dev/null", "w");
	err = sd_printk_write(&odd, &vi, devnull, &records);
	ok(err && strstr(err->message, "neither 4 nor 8"), "ringbuffer: a pointer size of 0 refused");
	sd_error_destroy(err);
	fclose(devnull);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);

	/* A layout that does not fit its own struct sizes is refused. */
	char bad[sizeof(prb_vmcoreinfo) + 64];
	snprintf(bad, sizeof(bad), "SIZE(printk_info)=4\n%s", prb_vmcoreinfo);
	vi = vmcoreinfo(bad);
	m = prb_mem();
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "ringbuffer: inconsistent layout refused");
	sd_error_destroy(err);
	free(text);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);

	/* Legacy log_buf (< 5.10): records of struct printk_log, a zero length wraps. */
	vi = vmcoreinfo(log_buf_vmcoreinfo);
	m = log_buf_mem();
	text = printk_text(&m, &vi, &records, &err);
	ok(!err && records == 2, "log_buf: two records");
	is_str(text, "[    0.000007] abc\n[    0.001000] hello\n", "log_buf: wraps at a zero length");
	free(text);
	put(&m, LB_BUF + 8, 0xffff, 2);	/* a length past the buffer stops the walk */
	text = printk_text(&m, &vi, &records, &err);
	ok(!err && records == 1, "log_buf: a record past the end stops the walk");
	free(text);
	sd_vmcoreinfo_deinit(&vi);
	vi = vmcoreinfo("SYMBOL(log_buf)=100000\nSYMBOL(log_buf_len)=100008\n"
			"SYMBOL(log_first_idx)=100010\nSYMBOL(log_next_idx)=100014\n"
			"SIZE(printk_log)=1048576\nOFFSET(printk_log.ts_nsec)=0\n"
			"OFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\n");
	text = printk_text(&m, &vi, &records, &err);
	ok(err && strstr(err->message, "inconsistent"), "log_buf: a 1 MiB struct printk_log refused");
	sd_error_destroy(err);
	free(text);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);

	vi = vmcoreinfo("OSRELEASE=4.0\n");
	m = prb_mem();
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "no log in VMCOREINFO says so");
	sd_error_destroy(err);
	free(text);
	free(m.bytes);
	sd_vmcoreinfo_deinit(&vi);
}

static void test_vmcoreinfo(void)
{
	static const char garbage[] = "\x01\x02=\xff\n==\nKEY\nSYMBOL(x)=zz\nKERNELOFFSET=1f000000\n"
				      "PAGESIZE=4096\nOSRELEASE=";
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(garbage, sizeof(garbage) - 1, &vi);
	ok(!err, "garbage VMCOREINFO parses");
	if (err)
		return;
	uint64_t v;
	int64_t d;
	ok(!sd_vmcoreinfo_symbol(&vi, "x", &v), "a non-hex SYMBOL is rejected");
	ok(sd_vmcoreinfo_hex(&vi, "KERNELOFFSET", &v) && v == 0x1f000000, "KERNELOFFSET is hex");
	ok(sd_vmcoreinfo_dec(&vi, "PAGESIZE", &d) && d == 4096, "PAGESIZE is decimal");
	ok(sd_vmcoreinfo_get(&vi, "OSRELEASE") && !*sd_vmcoreinfo_get(&vi, "OSRELEASE"),
	   "an empty value at the end without newline");
	sd_vmcoreinfo_deinit(&vi);
}

/* What may go to libkdumpfile: NULL (accepted) or a substring of the refusal. */
static void vi_check(const char *text, size_t len, bool is_linux, const char *want,
		     const char *what)
{
	struct sd_error *err = sd_vmcoreinfo_check(text, len, is_linux);
	bool good = want ? err && err->code == SD_ERROR_INPUT && strstr(err->message, want) &&
				   !strchr(err->message, '\n')
			 : !err;
	if (!good)
		printf("# got: %s\n", err ? err->message : "accepted");
	ok(good, "VMCOREINFO check: %s", what);
	sd_error_destroy(err);
}
#define VI_CHECK(text, is_linux, want, what) vi_check(text, sizeof(text) - 1, is_linux, want, what)

static void test_vmcoreinfo_check(void)
{
	static const char real[] =
		"OSRELEASE=6.1.0-13-amd64\nBUILD-ID=0011\nPAGESIZE=4096\n"
		"SYMBOL(init_uts_ns)=ffffffff82a12340\nSYMBOL(_stext)=ffffffff81000000\n"
		"SIZE(list_head)=16\nOFFSET(list_head.next)=0\nOFFSET(list_head.prev)=8\n"
		"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page.compound_head)=8\n"
		"LENGTH(zone.free_area)=11\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=(~0x80)\n"
		"NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=1e000000\nCRASHTIME=1700000000\n";
	VI_CHECK(real, true, NULL, "a real kernel's lines are accepted");
	VI_CHECK("PAGESIZE=65536\n", true, NULL, "PAGESIZE 64 KiB");
	VI_CHECK("PAGESIZE=0x1000\n", true, NULL, "PAGESIZE not all decimal (libkdumpfile ignores it)");
	VI_CHECK("PAGESIZE=0\n", true, "PAGESIZE=0 is not a page size", "PAGESIZE 0");
	VI_CHECK("PAGESIZE=\n", true, "PAGESIZE= is not a page size", "PAGESIZE empty");
	VI_CHECK("PAGESIZE=", true, "PAGESIZE= is not", "PAGESIZE empty at the very end");
	VI_CHECK("PAGESIZE=\0abc\n", true, "is not a page size", "PAGESIZE empty up to a NUL");
	VI_CHECK("PAGESIZE=4097\n", true, "PAGESIZE=4097", "PAGESIZE not a power of two");
	VI_CHECK("PAGESIZE=2048\n", true, "PAGESIZE=2048", "PAGESIZE below 4 KiB");
	VI_CHECK("PAGESIZE=-4096\n", true, "PAGESIZE=-4096", "PAGESIZE negative");
	VI_CHECK("PAGESIZE=99999999999999999999999\n", true, "is not a page size",
		 "PAGESIZE out of range of a long");
	VI_CHECK("PAGESIZE=0\n", false, NULL, "PAGESIZE in VMCOREINFO_XEN is not a page size");
	VI_CHECK("A=1\n\0\0\0\0\0\n", true, "key '\\x00\\x00\\x00\\x00\\x00' has a NUL byte",
		 "a line blanked by NULs");
	VI_CHECK("A=1\n\nB=2\n", true, "line 2 has no key", "an empty line");
	VI_CHECK("=1\n", true, "line 1 has no key", "an empty key");
	VI_CHECK("A..B=1\n", true, "empty '.' component", "a key with '..'");
	VI_CHECK(".A=1\n", true, "empty '.' component", "a key starting with '.'");
	VI_CHECK("OFFSET(.x)=1\n", true, "empty '.' component", "a derived name starting with '.'");
	VI_CHECK("SIZE()=1\n", true, "empty '.' component", "an empty derived name");
	VI_CHECK("SIZE()=x\n", true, NULL, "an empty derived name with a non-number (no attribute)");
	VI_CHECK("OFFSET(page=8\nOFFSET(page.flags)=0\n", true,
		 "lines 1 and 2: 'OFFSET(page' is a value and also a directory of 'OFFSET(page.flags)'",
		 "a value that is also a directory");
	VI_CHECK("OFFSET(page.flags)=0\nOFFSET(page=8\n", true, "'OFFSET(page' is a value",
		 "the same, the other way round");
	VI_CHECK("SIZE(page)=64\nSIZE(page.x)=1\n", true, "'SIZE.page' is a value",
		 "a derived value that is also a directory");
	VI_CHECK("SIZE(page)=64\nSIZE(page.x)=y\n", true, NULL,
		 "not when the second is no number (no derived attribute)");
	VI_CHECK("X=1\nX=2\nY.Z=1\nY.W=2\n", true, NULL, "repeated keys and shared directories");
	char big[SD_VMCOREINFO_MAX + 2];
	memset(big, 'A', sizeof(big));
	vi_check(big, sizeof(big), true, "more than", "more than 64 KiB");
	/* Many lines: time and memory stay linear-ish. */
	size_t n = SD_VMCOREINFO_MAX - 16;
	char *lines = malloc(n);
	for (size_t i = 0; i + 2 <= n; i += 2) {
		lines[i] = (char)('A' + (i / 2) % 26);
		lines[i + 1] = '\n';
	}
	vi_check(lines, n, true, NULL, "32K one-letter lines");
	free(lines);
}

/* --- the flattened format ---------------------------------------------------------------- */

static void put_be64(uint8_t *p, int64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
}

/* A flattened file: header, then (offset, size, data) records, then the end record. */
static int flat_file(const int64_t (*recs)[2], const char *const *data, size_t n, bool end)
{
	int fd = memfd_create("flat", 0);
	uint8_t hdr[SD_FLAT_HEADER_SIZE] = "makedumpfile";
	put_be64(hdr + 16, 1);	/* type */
	put_be64(hdr + 24, 1);	/* version */
	if (write(fd, hdr, sizeof(hdr)) != sizeof(hdr))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t r[16];
		put_be64(r, recs[i][0]);
		put_be64(r + 8, recs[i][1]);
		if (write(fd, r, 16) != 16 ||
		    (data[i] && write(fd, data[i], (size_t)recs[i][1]) != recs[i][1]))
			return -1;
	}
	if (end) {
		uint8_t r[16];
		put_be64(r, -1);
		put_be64(r + 8, -1);
		if (write(fd, r, 16) != 16)
			return -1;
	}
	return fd;
}

static void test_flattened(void)
{
	static const int64_t recs[][2] = { { 8, 4 }, { 0, 8 }, { 20, 3 } };
	static const char *const data[] = { "DATA", "KDUMP   ", "end" };
	uint64_t size;
	bool truncated;
	int in = flat_file(recs, data, 3, true), out = memfd_create("out", 0);
	struct sd_error *err = sd_flattened_reassemble(in, "flat", out, NULL, &size, &truncated);
	char got[24] = {0};
	ok(!err && size == 23 && !truncated && pread(out, got, 23, 0) == 23 &&
	   !memcmp(got, "KDUMP   DATA\0\0\0\0\0\0\0\0end", 23),
	   "records land at their offsets, out of order, with a gap");
	close(in);
	close(out);

	in = flat_file(recs, data, 2, false);
	out = memfd_create("out", 0);
	err = sd_flattened_reassemble(in, "flat", out, NULL, &size, &truncated);
	ok(!err && truncated && size == 12, "no end record: what was read, flagged truncated");
	close(in);
	close(out);

	static const int64_t bad[][2] = { { -5, 4 } };
	in = flat_file(bad, data, 1, true);
	out = memfd_create("out", 0);
	err = sd_flattened_reassemble(in, "flat", out, NULL, &size, &truncated);
	ok(err && err->code == SD_ERROR_INPUT, "a negative offset is corrupt");
	sd_error_destroy(err);
	close(in);
	close(out);

	static const int64_t huge[][2] = { { 0, INT64_C(1) << 40 } };
	static const char *const none[] = { NULL };
	in = flat_file(huge, none, 1, true);
	out = memfd_create("out", 0);
	err = sd_flattened_reassemble(in, "flat", out, NULL, &size, &truncated);
	ok(err && err->code == SD_ERROR_INPUT, "an absurd record size is corrupt");
	sd_error_destroy(err);
	close(in);
	close(out);
}

/* --- the module list ---------------------------------------------------------------------- */

static const struct field *fields;

static bool t_member(void *arg, const char *type, const char *path, uint64_t *off, uint64_t *size)
{
	(void)arg;
	for (const struct field *f = fields; f->type; f++)
		if (!strcmp(f->type, type) && !strcmp(f->path, path)) {
			*off = f->off;
			*size = f->size;
			return true;
		}
	return false;
}

static bool t_size(void *arg, const char *type, uint64_t *ret)
{
	uint64_t off;
	return t_member(arg, type, "", &off, ret);
}

static void test_kmodules(void)
{
	const char *names[] = { "crc_itu_t", "lz4", "dummy" };
	struct sd_ktypes types = { .member = t_member, .size = t_size, .source = "test" };
	for (int layout = 0; layout < 2; layout++) {
		fields = layout ? old_layout : new_layout;
		struct mem m = modules_mem(3, names);
		if (!layout)
			module_notes(&m);
		struct sd_kmem km = { .read = mem_read, .arg = &m, .ptr_size = 8 };
		struct sd_kmodule *v = NULL;
		size_t n = 0;
		struct sd_error *err = sd_kmodules_walk(&km, &types, M_HEAD, &v, &n);
		const char *what = layout ? "core_layout (< 6.4)" : "mem[] (>= 6.4)";
		ok(!err && n == 3 && !strcmp(v[0].name, "crc_itu_t") && !strcmp(v[2].name, "dummy"),
		   "%s: three modules in list order", what);
		ok(!err && n == 3 && v[1].base == 0xffffffffc0010000 && v[1].size == 0x4000,
		   "%s: base and size", what);
		if (!layout)
			ok(!err && v[0].build_id.len == 8 && v[0].build_id.bytes[7] == 8 &&
			   v[1].build_id.len == 0, "mem[]: build-id from the module's notes");
		free(v);

		/* A list that never returns to its head is cut off, not followed forever. */
		put(&m, M_MODS + 2 * M_STRIDE + 8, M_MODS + 8, 8);
		err = sd_kmodules_walk(&km, &types, M_HEAD, &v, &n);
		ok(err && err->code == SD_ERROR_INPUT, "%s: a looping list is refused", what);
		sd_error_destroy(err);
		/* A pointer off the map, and a garbage name. */
		put(&m, M_MODS + 8, 0xdead0000, 8);
		err = sd_kmodules_walk(&km, &types, M_HEAD, &v, &n);
		ok(err && strstr(err->message, "broken"), "%s: a list off the map is refused", what);
		sd_error_destroy(err);
		free(m.bytes);
		m = modules_mem(1, (const char *[]){ "bad\x01name" });
		km.arg = &m;
		err = sd_kmodules_walk(&km, &types, M_HEAD, &v, &n);
		ok(err && strstr(err->message, "implausible"), "%s: a garbage name is refused", what);
		sd_error_destroy(err);
		free(m.bytes);
	}
	fields = (const struct field[]){ { NULL, NULL, 0, 0 } };
	struct sd_kmodule *v;
	size_t n;
	struct sd_error *err = sd_kmodules_walk(NULL, &types, M_HEAD, &v, &n);
	ok(err && err->code == SD_ERROR_INPUT, "types without struct module are refused");
	sd_error_destroy(err);
}

int main(void)
{
	test_kallsyms();
	test_printk();
	test_vmcoreinfo();
	test_vmcoreinfo_check();
	test_flattened();
	test_kmodules();
	return tap_done();
}
