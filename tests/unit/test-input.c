// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a dump is called (the default archive name, and its name in the
 * archive when it was compressed), compression by magic, and what
 * coredumpctl info says about a core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coredump.h"
#include "input.h"
#include "tap.h"

static void name(const char *dump, const char *want)
{
	char *got = sd_input_default_name(dump, false);
	char what[256];
	snprintf(what, sizeof(what), "default name of %.200s", dump);
	is_str(got, want, what);
	free(got);
}

static void tagged(const char *dump, const char *want_prefix)
{
	char *got = sd_input_default_name(dump, true);
	size_t n = strlen(want_prefix);
	bool hex = got && strlen(got) == n + 9 && got[n] == '-' &&
		   strspn(got + n + 1, "0123456789abcdef") == 8;
	ok(got && !strncmp(got, want_prefix, n) && hex, "tagged name of %s: %s", dump,
	   got ? got : "(null)");
	free(got);
}

int main(void)
{
	/* kdump-utils: HOST-DATE-TIME directories; Debian kdump-tools: STAMP/dump.STAMP */
	name("/nonexistent/var/crash/127.0.0.1-2026-12-01-10:00:00/vmcore",
	     "127.0.0.1-2026-12-01-10_00_00");
	name("/nonexistent/var/crash/202612011000/dump.202612011000", "202612011000");
	name("/nonexistent/var/crash/127.0.0.1-2026-12-01-10:00:00/vmcore.flat",
	     "127.0.0.1-2026-12-01-10_00_00");
	/* A directory without a digit is no stamp: the file name. */
	name("/proc/vmcore", "vmcore");
	name("/nonexistent/crash/vmcore", "vmcore");
	name("vmcore", "vmcore");
	/* Other files: their name, less a compression suffix. */
	name("/nonexistent/core.7475", "core.7475");
	name("/nonexistent/core.sleep.1000.0123abcd.4242.1764583200000000.zst",
	     "core.sleep.1000.0123abcd.4242.1764583200000000");
	name("/nonexistent/core.xz", "core");
	name("/nonexistent/.zst", "_zst");
	name("-", "stdin");
	/* Hostile bytes never reach a file name. */
	name("/nonexistent/a b;$(rm -rf x)\n\xff", "a_b___rm_-rf_x___");
	name("/nonexistent/-rf", "_rf");
	name("/nonexistent/..hidden", "_.hidden");
	name("/nonexistent/2026:../vmcore", "2026_..");
	name("/nonexistent/12:00 x/dump.1", "12_00_x");
	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	char *got = sd_input_default_name(longname, false);
	ok(got && strlen(got) == 128, "a long name is cut to 128 bytes");
	free(got);
	tagged("/nonexistent/a/vmcore", "vmcore");
	char *a = sd_input_default_name("/nonexistent/a/vmcore", true);
	char *b = sd_input_default_name("/nonexistent/b/vmcore", true);
	ok(a && b && strcmp(a, b), "tags differ by path: %s %s", a, b);
	free(a);
	free(b);

	/* The name inside the archive of a compressed dump */
	char *n = sd_input_archive_name("/x/core.prog.1000.zst", SD_COMPRESSED_ZSTD);
	is_str(n, "core.prog.1000", "archive name of core.prog.1000.zst");
	free(n);
	ok(!sd_input_archive_name("/x/mycore", SD_COMPRESSED_XZ), "no suffix: the file's name");
	ok(!sd_input_archive_name("/x/core.zst", SD_COMPRESSED_NONE), "not compressed");

	/* Magic */
	ok(sd_compressed_magic("\x28\xb5\x2f\xfd\x04", 5) == SD_COMPRESSED_ZSTD, "zstd magic");
	ok(sd_compressed_magic("\xfd" "7zXZ\0\0", 7) == SD_COMPRESSED_XZ, "xz magic");
	ok(sd_compressed_magic("\x04\x22\x4d\x18", 4) == SD_COMPRESSED_LZ4, "lz4 magic");
	ok(sd_compressed_magic("\x1f\x8b\x08", 3) == SD_COMPRESSED_GZIP, "gzip magic");
	ok(sd_compressed_magic("\x7f" "ELF", 4) == SD_COMPRESSED_NONE, "ELF is not compressed");
	ok(sd_compressed_magic("\x28\xb5\x2f", 3) == SD_COMPRESSED_NONE, "a short file is not");
	is_str(sd_compressed_as_name(SD_COMPRESSED_LZ4), "lz4", "lz4's name");

	/* coredumpctl info */
	static const char info[] =
		"           PID: 4242 (sleep)\n"
		"        Signal: 11 (SEGV)\n"
		"  Command Line: sleep 60\n"
		"    Executable: /usr/bin/sleep\n"
		"       Storage: /nonexistent/core.sleep.zst (present)\n"
		"       Message: Process 4242 (sleep) of user 0 dumped core.\n"
		"\n"
		"                Executable: not this one\n";
	struct sd_coredump c;
	struct sd_error *err = sd_coredump_parse_info(info, &c);
	ok(!err, "coredumpctl info parses");
	if (!err) {
		ok(c.pid == 4242, "PID");
		is_str(c.comm, "sleep", "COMM");
		is_str(c.command_line, "sleep 60", "command line");
		is_str(c.executable, "/usr/bin/sleep", "executable");
		ok(!c.storage, "a stored core that is not there is not used");
		is_str(c.name, "core.sleep.4242", "the dump's name without its file");
		sd_coredump_deinit(&c);
	}
	sd_error_destroy(err);
	err = sd_coredump_parse_info("       Storage: journal\n", &c);
	ok(err && err->code == SD_ERROR_INPUT, "no PID and no file: an error");
	sd_error_destroy(err);
	return tap_done();
}
