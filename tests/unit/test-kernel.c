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

	/* 2^22 descriptors of 1 MiB (each factor allowed alone) would be a 4 TiB ring. */
	char huge[sizeof(prb_vmcoreinfo) + 64];
	snprintf(huge, sizeof(huge), "SIZE(prb_desc)=1048576\n%s", prb_vmcoreinfo);
	vi = vmcoreinfo(huge);
	m = prb_mem();
	put(&m, P_PRB + 0, 22, 4);
	text = printk_text(&m, &vi, &records, &err);
	ok(err && err->code == SD_ERROR_INPUT, "ringbuffer: a 4 TiB descriptor ring is refused");
	sd_error_destroy(err);
	free(text);
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
	test_flattened();
	test_kmodules();
	return tap_done();
}
