// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner on its own: sd_plan_decide() and sd_plan_fit() on plans built
 * in memory, as if inspected and resolved. No file is opened.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "planio.h"
#include "tap.h"

static struct sd_item *add(struct sd_plan *plan, enum sd_role role, enum sd_status status,
			   const char *orig, const char *archive, uint64_t size)
{
	struct sd_item *it;
	if (sd_plan_add(plan, role, status, &it))
		abort();
	if (sd_item_set(&it->name, orig ? strrchr(orig, '/') + 1 : "x") ||
	    (orig && sd_item_set(&it->orig_path, orig)) ||
	    (orig && sd_item_set(&it->source_path, orig)) ||
	    (archive && sd_item_set(&it->archive_path, archive)))
		abort();
	it->size = size;
	return it;
}

static void id(struct sd_item *it, uint8_t b)
{
	it->build_id.len = 20;
	memset(it->build_id.bytes, b, 20);
}

static struct sd_item *dump(struct sd_plan *plan, uint64_t size)
{
	return add(plan, SD_ROLE_DUMP, SD_STATUS_FOUND, "/var/crash/core", NULL, size);
}

static int count_path(const struct sd_plan *plan, const char *path)
{
	int n = 0;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (!it->pack)
			continue;
		n += strcmp(it->archive_path, path) == 0;
		for (size_t a = 0; a < it->aliases.n; a++)
			n += strcmp(it->aliases.v[a], path) == 0;
	}
	return n;
}

static void test_reserved(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	plan.kind = SD_DUMP_USERLAND;
	dump(&plan, 100);
	char *m = strdup("{}");
	sd_plan_add_generated(&plan, "manifest.json", m, 2, "test");
	struct sd_item *a = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/manifest.json",
				"manifest.json", 10);
	id(a, 1);
	struct sd_item *b = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/run-gdb.sh",
				"run-gdb.sh", 10);
	id(b, 2);
	struct sd_item *c = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/libx.so",
				"usr/lib/libx.so", 10);
	id(c, 3);
	struct sd_decide_options o = { .dump_name = "core" };
	ok(sd_plan_decide(&plan, &o) == NULL, "decide with reserved names");
	ok(plan.items[2].status == SD_STATUS_SKIPPED && !plan.items[2].pack &&
	   strstr(plan.items[2].reason, "reserves"),
	   "an item named /manifest.json is skipped with the reason (%s)", plan.items[2].reason);
	ok(plan.items[3].status == SD_STATUS_SKIPPED && !plan.items[3].pack,
	   "an item named /run-gdb.sh is skipped");
	ok(plan.items[4].pack && plan.items[4].status == SD_STATUS_FOUND, "others are packed");
	ok(count_path(&plan, "manifest.json") == 1, "manifest.json is claimed once");
	is_str(plan.items[0].archive_path, "core", "the dump keeps its name");
	ok(plan.notes.n == 2, "each skip is noted (%zu notes)", plan.notes.n);
	sd_plan_deinit(&plan);
}

static void test_dump_name(void)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{ "manifest.json", "dump-manifest.json" }, { "run-gdb.sh", "dump-run-gdb.sh" },
		{ "usr", "dump-usr" }, { "..", "dump-.." }, { "", "core" }, { "vmcore", "vmcore" },
		{ "a/b", "core" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct sd_plan plan;
		sd_plan_init(&plan);
		dump(&plan, 1);
		struct sd_item *l = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/l.so",
					"usr/lib/l.so", 1);
		id(l, 9);
		struct sd_decide_options o = { .dump_name = cases[i].name };
		ok(sd_plan_decide(&plan, &o) == NULL && !strcmp(plan.items[0].archive_path,
								  cases[i].want) &&
		   plan.items[1].pack,
		   "dump named '%s' is stored as '%s' (got '%s')", cases[i].name, cases[i].want,
		   plan.items[0].archive_path);
		sd_plan_deinit(&plan);
	}
}

/*
 * A derived core (fillcore.c) goes beside the dump under the dump's archive
 * name; one that collides with a file of the dump is skipped, not an error.
 * Every role has a name (tables are sized by SD_ROLE_LAST).
 */
static void test_derived_core(void)
{
	for (int r = 0; r <= SD_ROLE_LAST; r++)
		if (!strcmp(sd_role_name((enum sd_role)r), "unknown"))
			ok(false, "role %d has no name", r);
	is_str(sd_role_name(SD_ROLE_DOTNET_CORE), "dotnet-core", "the derived core's role");
	for (int clash = 0; clash < 2; clash++) {
		struct sd_plan plan;
		sd_plan_init(&plan);
		dump(&plan, 10);
		if (clash)
			id(add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/core.dotnet",
			       "core.dotnet", 1), 3);
		struct sd_item *d = add(&plan, SD_ROLE_DOTNET_CORE, SD_STATUS_FOUND, NULL, NULL, 20);
		size_t di = (size_t)(d - plan.items);
		struct sd_decide_options o = { .dump_name = "core" };
		struct sd_error *err = sd_plan_decide(&plan, &o);
		d = &plan.items[di];
		ok(!err && d->archive_path && !strcmp(d->archive_path, "core.dotnet") &&
		   d->pack == !clash && (d->status == SD_STATUS_SKIPPED) == !!clash,
		   "derived core %s as core.dotnet%s", clash ? "not packed" : "packed",
		   clash ? " when a file of the dump has that path" : "");
		sd_error_destroy(err);
		sd_plan_deinit(&plan);
	}
}

static void test_collisions(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	dump(&plan, 1);
	/* One library under two names: the same file twice. */
	struct sd_item *a = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/libfoo.so.1",
				"usr/lib/libfoo.so.1", 10);
	id(a, 1);
	struct sd_item *b = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/libfoo.so.1",
				"usr/lib/libfoo.so.1", 10);
	id(b, 1);
	/* Another file where a directory must be. */
	struct sd_item *c = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib", "usr/lib", 5);
	id(c, 2);
	/* A file below a file. */
	struct sd_item *d = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND,
				"/usr/lib/libfoo.so.1/x", "usr/lib/libfoo.so.1/x", 5);
	id(d, 3);
	/* Different files, one path. */
	struct sd_item *e = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/libfoo.so.1",
				"usr/lib/libfoo.so.1", 10);
	id(e, 4);
	free(e->source_path);
	e->source_path = strdup("/other/libfoo.so.1");
	/* Paths that are not plain relative paths. */
	struct sd_item *f = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/x", "../x", 1);
	id(f, 5);
	struct sd_item *g = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/y", "/abs", 1);
	id(g, 6);
	struct sd_decide_options o = { .dump_name = "core" };
	ok(sd_plan_decide(&plan, &o) == NULL, "decide with collisions");
	ok(plan.items[1].pack, "the first claim is packed");
	ok(!plan.items[2].pack && plan.items[2].status == SD_STATUS_FOUND &&
	   strstr(plan.items[2].reason, "the same file"),
	   "the same file again stays found, stored once (%s)", plan.items[2].reason);
	ok(!plan.items[3].pack && plan.items[3].status == SD_STATUS_SKIPPED,
	   "a file where a directory is needed is skipped (%s)", plan.items[3].reason);
	ok(!plan.items[4].pack && plan.items[4].status == SD_STATUS_SKIPPED,
	   "a file below a file is skipped (%s)", plan.items[4].reason);
	ok(!plan.items[5].pack && plan.items[5].status == SD_STATUS_SKIPPED &&
	   strstr(plan.items[5].reason, "collides"),
	   "another file on the same path is skipped (%s)", plan.items[5].reason);
	ok(!plan.items[6].pack && !plan.items[7].pack && plan.items[6].status == SD_STATUS_SKIPPED &&
	   plan.items[7].status == SD_STATUS_SKIPPED, "'..' and absolute paths are never stored");
	ok(count_path(&plan, "usr/lib/libfoo.so.1") == 1, "every stored path is claimed once");
	struct sd_plan_counts n = sd_plan_count(&plan);
	ok(n.found == 3 && n.skipped == 5, "counts: %zu found, %zu skipped", n.found, n.skipped);
	sd_plan_deinit(&plan);
}

static void test_aliases(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	dump(&plan, 1);
	struct sd_item *a = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND,
				"/usr/lib/x86_64-linux-gnu/libc.so.6",
				"usr/lib/x86_64-linux-gnu/libc.so.6", 10);
	id(a, 0xab);
	a->alias_flags = SD_ALIAS_BUILD_ID;
	sd_strv_add(&a->aliases, "lib/x86_64-linux-gnu/libc.so.6");
	struct sd_item *d = add(&plan, SD_ROLE_DEBUGINFO, SD_STATUS_FOUND, NULL,
				"usr/lib/debug/.build-id/ab/abababababababababababababababababab.debug",
				10);
	id(d, 0xab);
	d->alias_flags = SD_ALIAS_FOUND_AT | SD_ALIAS_BUILD_ID;
	d->root_path = strdup("/opt/debug/libc.so.6.debug");
	struct sd_item *m = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_MISSING, "/usr/lib/libgone.so", "usr/lib/libgone.so", 0);
	id(m, 0xcd);
	m->alias_flags = SD_ALIAS_BUILD_ID;
	struct sd_item *x = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_MISMATCH, "/usr/lib/libold.so",
				"usr/lib/libold.so", 3);
	id(x, 0xef);
	struct sd_strv dirs = {0};
	sd_strv_add(&dirs, "/opt/debug");
	sd_strv_add(&dirs, "/usr/lib/debug");
	struct sd_decide_options o = { .dump_name = "core", .debug_dirs = &dirs };
	ok(sd_plan_decide(&plan, &o) == NULL, "decide with aliases");
	ok(count_path(&plan, "lib/x86_64-linux-gnu/libc.so.6") == 1, "the loader's name is an alias");
	char link[128] = "usr/lib/debug/.build-id/ab/";
	for (int i = 0; i < 19; i++)
		strcat(link, "ab");
	ok(count_path(&plan, link) == 1, "a binary gets its build-id link");
	ok(count_path(&plan, "usr/lib/debug/libc.so.6.debug") == 1,
	   "a debug file from a --debug-dir keeps its place under usr/lib/debug");
	ok(!plan.items[3].pack && plan.items[3].aliases.n == 0, "a missing file has no aliases");
	ok(!plan.items[4].pack, "a mismatch is not packed without --allow-mismatch");
	sd_plan_deinit(&plan);

	sd_plan_init(&plan);
	dump(&plan, 1);
	x = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_MISMATCH, "/usr/lib/libold.so",
		"usr/lib/libold.so", 3);
	id(x, 0xef);
	o.allow_mismatch = true;
	ok(sd_plan_decide(&plan, &o) == NULL && plan.items[1].pack,
	   "a mismatch is packed with --allow-mismatch");
	sd_plan_deinit(&plan);
	sd_strv_deinit(&dirs);
}

static void test_fit(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	dump(&plan, 1000);
	struct sd_item *l = add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/usr/lib/l.so",
				"usr/lib/l.so", 5000);
	id(l, 1);
	struct sd_item *d1 = add(&plan, SD_ROLE_DEBUGINFO, SD_STATUS_FOUND, "/d1", "d1", 20000);
	id(d1, 2);
	struct sd_item *d2 = add(&plan, SD_ROLE_DEBUGINFO, SD_STATUS_FOUND, "/d2", "d2", 30000);
	id(d2, 3);
	struct sd_item *z = add(&plan, SD_ROLE_VMLINUZ, SD_STATUS_FOUND, "/z", "z", 8000);
	id(z, 4);
	z->compressed = true;
	struct sd_decide_options o = { .dump_name = "core" };
	ok(sd_plan_decide(&plan, &o) == NULL, "decide before fitting");
	uint64_t all = sd_plan_packed_size(&plan, 100);
	ok(all == 5 * 1536 + 1000 + 5000 + 20000 + 30000 + 8000, "packed size counts every entry");
	ok(sd_plan_packed_size(&plan, 0) == 5 * 1536 + 8000,
	   "at ratio 0 only the compressed entry counts (%llu)",
	   (unsigned long long)sd_plan_packed_size(&plan, 0));
	ok(sd_plan_fit(&plan, all - 25000, 100, "test") == NULL, "fit");
	ok(!plan.items[3].pack && plan.items[3].status == SD_STATUS_SKIPPED &&
	   plan.items[2].pack, "the largest debug file goes first, and only it");
	ok(plan.dropped == 1, "one item dropped");
	struct sd_error *err = sd_plan_fit(&plan, 1000, 100, "tiny");
	ok(err && plan.items[0].pack, "even the dump does not fit: an error, the dump stays");
	sd_error_destroy(err);
	sd_plan_deinit(&plan);
}

/* Mapped data files are packed within their bounds, in plan order; the rest are skipped. */
static void test_mapped_bounds(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	dump(&plan, 1000);
	uint64_t sizes[] = { 10, 30, 5, 100, 0 };
	for (size_t i = 0; i < 5; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/m%zu", i);
		add(&plan, SD_ROLE_MAPPED_FILE, SD_STATUS_FOUND, path, path + 1, sizes[i]);
	}
	add(&plan, SD_ROLE_LIBRARY, SD_STATUS_FOUND, "/big.so", "big.so", 1000);
	struct sd_decide_options o = { .dump_name = "core", .mapped_file_max = 50,
				       .mapped_total_max = 40 };
	ok(sd_plan_decide(&plan, &o) == NULL, "decide with mapped-file bounds");
	ok(plan.items[1].pack && plan.items[2].pack && plan.items[5].pack, "within: packed");
	ok(plan.items[3].status == SD_STATUS_SKIPPED && !plan.items[3].pack &&
	   strstr(plan.items[3].reason, "beyond --max-mapped-total (40, 40 taken)"),
	   "past the total: skipped (%s)", plan.items[3].reason);
	ok(plan.items[4].status == SD_STATUS_SKIPPED &&
	   strstr(plan.items[4].reason, "more than --max-mapped-file (50)"),
	   "too big: skipped (%s)", plan.items[4].reason);
	ok(plan.items[6].pack, "other roles are not bounded");
	sd_plan_deinit(&plan);

	sd_plan_init(&plan);
	dump(&plan, 1000);
	add(&plan, SD_ROLE_MAPPED_FILE, SD_STATUS_FOUND, "/m", "m", 1);
	struct sd_decide_options none = { .dump_name = "core" };
	ok(sd_plan_decide(&plan, &none) == NULL && plan.items[1].status == SD_STATUS_SKIPPED,
	   "bounds of 0 pack none");
	sd_plan_deinit(&plan);
}

/* The plan as bytes: a round trip, and every truncation and many corruptions refused cleanly. */
static void test_planio(void)
{
	struct sd_plan plan;
	sd_plan_init(&plan);
	plan.kind = SD_DUMP_KERNEL;
	plan.release = strdup("6.1.0-x");
	sd_plan_note(&plan, "a note");
	sd_plan_damage(&plan, "some damage");
	sd_plan_damage(&plan, "some damage");
	plan.system_map_refused = strdup("not this kernel's");
	dump(&plan, 10);
	struct sd_item *a = add(&plan, SD_ROLE_MODULE, SD_STATUS_WANTED, "/lib/m.ko", "lib/m.ko", 0);
	id(a, 7);
	a->want_debug = true;
	a->find = SD_FIND_KMOD;
	a->verify = SD_VERIFY_KMOD;
	sd_strv_add(&a->candidates, "/x");
	struct sd_item *b = add(&plan, SD_ROLE_MODULE_DEBUG, SD_STATUS_MISSING, NULL, NULL, 0);
	b->parent = 1;
	b->pe_known = true;
	b->pe_timestamp = 0xfee89a4f;
	b->pe_size_of_image = 0x8000;
	char *text = malloc(12);
	memcpy(text, "line\n\0binary", 12);
	sd_plan_add_generated(&plan, "dmesg.txt", text, 12, "log");
	char *buf;
	size_t len;
	ok(sd_plan_encode(&plan, &buf, &len) == NULL, "encode");
	struct sd_plan back;
	sd_plan_init(&back);
	struct sd_item *first;
	sd_plan_add(&back, SD_ROLE_DUMP, SD_STATUS_FOUND, &first);
	ok(sd_plan_decode(buf, len, &back) == NULL, "decode");
	ok(back.n_items == 5 && back.items[3].parent == 2 && back.items[1].parent == SIZE_MAX,
	   "items appended after the existing one, parents shifted");
	ok(back.items[2].want_debug && back.items[2].find == SD_FIND_KMOD &&
	   back.items[2].candidates.n == 1 && sd_build_id_eq(&back.items[2].build_id,
							      &plan.items[1].build_id),
	   "a need survives the trip");
	ok(back.items[3].pe_known && back.items[3].pe_timestamp == 0xfee89a4f &&
	   back.items[3].pe_size_of_image == 0x8000 && !back.items[2].pe_known,
	   "a managed assembly's PE header fields survive");
	ok(back.items[4].content_len == 12 && !memcmp(back.items[4].content, "line\n\0binary", 12),
	   "generated content with a NUL inside survives");
	ok(back.release && !strcmp(back.release, "6.1.0-x") && back.notes.n == 1 &&
	   back.damage && back.kind == SD_DUMP_KERNEL, "the plan's own fields survive");
	ok(!strcmp(back.damage, "some damage"), "damage said twice is kept once");
	ok(back.system_map_refused && !strcmp(back.system_map_refused, "not this kernel's"),
	   "why the System.map was refused survives");
	sd_plan_deinit(&back);

	bool all_refused = true, none_crashed = true;
	for (size_t cut = 0; cut < len; cut++) {
		sd_plan_init(&back);
		struct sd_error *err = sd_plan_decode(buf, cut, &back);
		all_refused &= err != NULL && back.n_items == 0;
		sd_error_destroy(err);
		sd_plan_deinit(&back);
	}
	ok(all_refused, "every truncation of %zu bytes is refused, nothing appended", len);

	/* The working directory travels when absolute and normalised, else the plan is refused. */
	const char *cwds[] = { "/home/u/my app", "/", "rel/dir", "/a/../b", "/a/", "" };
	for (size_t k = 0; k < sizeof(cwds) / sizeof(*cwds); k++) {
		struct sd_plan u;
		sd_plan_init(&u);
		u.cwd = strdup(cwds[k]);
		char *ubuf;
		size_t ulen;
		ok(sd_plan_encode(&u, &ubuf, &ulen) == NULL, "encode cwd '%s'", cwds[k]);
		sd_plan_init(&back);
		struct sd_error *err = sd_plan_decode(ubuf, ulen, &back);
		if (k < 2)
			ok(!err && back.cwd && !strcmp(back.cwd, cwds[k]), "cwd '%s' survives",
			   cwds[k]);
		else
			ok(err && !back.cwd, "cwd '%s' is refused", cwds[k]);
		sd_error_destroy(err);
		sd_plan_deinit(&back);
		sd_plan_deinit(&u);
		free(ubuf);
	}
	uint32_t seed = 1;
	for (int round = 0; round < 20000; round++) {
		char *copy = malloc(len);
		memcpy(copy, buf, len);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % len] ^= (char)(1 + (seed >> 24) % 255);
		}
		sd_plan_init(&back);
		struct sd_error *err = sd_plan_decode(copy, len, &back);
		for (size_t i = 0; !err && i < back.n_items; i++)
			none_crashed &= back.items[i].parent == SIZE_MAX ||
					back.items[i].parent < back.n_items;
		sd_error_destroy(err);
		sd_plan_deinit(&back);
		free(copy);
	}
	ok(none_crashed, "20000 corrupted copies: no crash, parents always in range");
	free(buf);
	sd_plan_deinit(&plan);
}

int main(void)
{
	test_planio();
	test_mapped_bounds();
	test_reserved();
	test_dump_name();
	test_derived_core();
	test_collisions();
	test_aliases();
	test_fit();
	return tap_done();
}
