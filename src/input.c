// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "codecs.h"
#include "hash.h"
#include "input.h"
#include "util.h"
#include "zstream.h"

static const struct {
	enum sd_compressed_as as;
	const char *name;
	const char *suffix;
	const char *magic;
	size_t len;
} formats[] = {
	/* RFC 8878 3.1.1; xz file format 2.1.1.1; lz4 frame format; RFC 1952 */
	{ SD_COMPRESSED_ZSTD, "zstd", ".zst", "\x28\xb5\x2f\xfd", 4 },
	{ SD_COMPRESSED_XZ, "xz", ".xz", "\xfd" "7zXZ\0", 6 },
	{ SD_COMPRESSED_LZ4, "lz4", ".lz4", "\x04\x22\x4d\x18", 4 },
	{ SD_COMPRESSED_GZIP, "gzip", ".gz", "\x1f\x8b", 2 },
};

const char *sd_compressed_as_name(enum sd_compressed_as as)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i].as == as)
			return formats[i].name;
	return NULL;
}

enum sd_compressed_as sd_compressed_magic(const void *head, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (len >= formats[i].len && !memcmp(head, formats[i].magic, formats[i].len))
			return formats[i].as;
	return SD_COMPRESSED_NONE;
}

/* --- Copying ---------------------------------------------------------------------------- */

enum { HEAD = 64, BLOCK = 4096, READ_SIZE = 1 << 20 };

/* The file given, read once from its start: the head already read, then the rest. */
struct source {
	int fd;
	uint8_t head[HEAD];
	size_t head_len;
	bool head_done;
	uint8_t *buf;
	struct sd_sha256 *h;
	uint64_t bytes;
};

static ssize_t source_read(void *arg, const void **ret_buf)
{
	struct source *s = arg;
	ssize_t n;
	if (!s->head_done && s->head_len) {
		s->head_done = true;
		*ret_buf = s->head;
		n = (ssize_t)s->head_len;
	} else {
		do
			n = read(s->fd, s->buf, READ_SIZE);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		*ret_buf = s->buf;
	}
	sd_sha256_update(s->h, *ret_buf, (size_t)n);
	s->bytes += (uint64_t)n;
	return n;
}

/* The copy: blocks of zeros become holes. */
struct sink {
	int fd;
	const char *name;
	const char *doing;	/* "decompresses to", "is" */
	const struct sd_input_limits *limits;
	uint64_t pos;		/* the copy's size so far */
	uint64_t data;		/* bytes written */
};

static bool all_zero(const uint8_t *p, size_t n)
{
	return !n || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

static struct sd_error *too_large(const struct sink *k, uint64_t limit, const char *why)
{
	return sd_error_create(SD_ERROR_OTHER, "%s %s more than %" PRIu64 " bytes, %s", k->name,
			       k->doing, limit, why);
}

static struct sd_error *sink_write(void *arg, const void *buf, size_t len)
{
	struct sink *k = arg;
	const struct sd_input_limits *l = k->limits;
	const uint8_t *p = buf;
	if (l->max_size && len > l->max_size - k->pos)
		return too_large(k, l->max_size, l->why_size);
	while (len) {
		/* A run of whole blocks (of the copy) that are all zero, or none of them is. */
		size_t n = BLOCK - (size_t)(k->pos % BLOCK);
		if (n > len)
			n = len;
		bool zero = all_zero(p, n);
		size_t run = n;
		while (run < len) {
			size_t m = len - run < BLOCK ? len - run : BLOCK;
			if (all_zero(p + run, m) != zero)
				break;
			run += m;
		}
		if (!zero) {
			if (l->max_data && run > l->max_data - k->data)
				return too_large(k, l->max_data, l->why_data);
			for (size_t done = 0; done < run;) {
				ssize_t w = pwrite(k->fd, p + done, run - done,
						   (off_t)(k->pos + done));
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return sd_error_errno(w < 0 ? errno : EIO, "%s: writing its copy",
							      k->name);
				done += (size_t)w;
			}
			k->data += run;
		}
		k->pos += run;
		p += run;
		len -= run;
	}
	return NULL;
}

static struct sd_error *copy_plain(struct source *s, struct sink *k)
{
	for (;;) {
		const void *buf;
		ssize_t n = source_read(s, &buf);
		if (n < 0)
			return sd_error_errno(errno, "%s", k->name);
		if (n == 0)
			return NULL;
		struct sd_error *err = sink_write(k, buf, (size_t)n);
		if (err)
			return err;
	}
}

struct sd_error *sd_input_prepare(int fd, const char *name, const char *tmpdir,
				  const struct sd_input_limits *limits, struct sd_input *ret)
{
	struct source s = { .fd = fd };
	bool seekable = lseek(fd, 0, SEEK_CUR) >= 0;
	ssize_t n;
	if (seekable) {
		n = sd_pread_full(fd, s.head, sizeof(s.head), 0);
	} else {
		/* A pipe: what is read here is gone from it, and goes first into the copy. */
		size_t got = 0;
		n = 0;
		while (got < sizeof(s.head)) {
			n = read(fd, s.head + got, sizeof(s.head) - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (n >= 0)
			n = (ssize_t)got;
	}
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	s.head_len = (size_t)n;
	enum sd_compressed_as as = sd_compressed_magic(s.head, s.head_len);
	if (seekable && as == SD_COMPRESSED_NONE) {
		*ret = (struct sd_input){ .fd = -1 };
		return NULL;
	}
	/* Read the file given from its start (a seekable one is read through its own offset). */
	if (seekable && lseek(fd, 0, SEEK_SET) < 0)
		return sd_error_errno(errno, "%s", name);
	if (seekable)
		s.head_len = 0;

	int out = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (out < 0)
		return sd_error_errno(errno, "%s: cannot create a temporary file for a copy of %s",
				      tmpdir, name);
	struct sink k = {
		.fd = out, .name = name, .limits = limits,
		.doing = as != SD_COMPRESSED_NONE ? "decompresses to" : "is",
	};
	struct sd_error *err = sd_sha256_create(&s.h);
	if (!err && !(s.buf = malloc(READ_SIZE)))
		err = &sd_enomem;
	if (!err) {
		err = as == SD_COMPRESSED_NONE
			? copy_plain(&s, &k)
			: as == SD_COMPRESSED_ZSTD
			? sd_zstd_decompress(name, source_read, &s, sink_write, &k)
			: sd_codec_decompress(as, name, source_read, &s, sink_write, &k);
	}
	if (!err && ftruncate(out, (off_t)k.pos) < 0)
		err = sd_error_errno(errno, "%s: writing its copy", name);
	if (!err && k.pos == 0)
		err = sd_error_create(SD_ERROR_INPUT, "%s: empty%s", name,
				      as != SD_COMPRESSED_NONE ? " once decompressed" : "");
	if (!err) {
		*ret = (struct sd_input){
			.fd = out, .compressed = as, .spooled = !seekable,
			.given_size = s.bytes, .size = k.pos,
		};
		sd_sha256_final(s.h, ret->given_sha256);
	} else {
		close(out);
	}
	free(s.buf);
	sd_sha256_destroy(s.h);
	return err;
}

/* --- Names ------------------------------------------------------------------------------ */

enum { NAME_MAX_LEN = 128 };

static const char *compression_suffix(const char *base)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (sd_str_has_suffix(base, formats[i].suffix) &&
		    strlen(base) > strlen(formats[i].suffix))
			return formats[i].suffix;
	return NULL;
}

static bool is_crash_file(const char *base)
{
	return !strcmp(base, "vmcore") || !strcmp(base, "vmcore.flat") ||
	       (sd_str_has_prefix(base, "dump.") && base[5]);
}

char *sd_input_default_name(const char *dump, bool tag)
{
	if (!strcmp(dump, "-"))
		return strdup("stdin");
	/* The directory as the user sees it (a vmcore may be a symlink), made absolute. */
	_cleanup_free_ char *given_dir = sd_dirname(dump);
	if (!given_dir)
		return NULL;
	_cleanup_free_ char *real_dir = realpath(given_dir, NULL);
	const char *dir = real_dir ? real_dir : given_dir;
	const char *base = sd_basename(dump);
	size_t len = strlen(base);
	const char *suffix = compression_suffix(base);
	if (suffix)
		len -= strlen(suffix);
	_cleanup_free_ char *stem = strndup(base, len);
	if (!stem)
		return NULL;
	const char *dbase = sd_basename(dir);
	if (is_crash_file(stem) && strpbrk(dbase, "0123456789") && strcmp(dbase, "/")) {
		free(stem);
		if (!(stem = strdup(dbase)))
			return NULL;
	}
	size_t n = strlen(stem);
	if (n > NAME_MAX_LEN)
		stem[n = NAME_MAX_LEN] = '\0';
	for (size_t i = 0; i < n; i++) {
		char c = stem[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  ((c == '.' || c == '-') && i > 0) || c == '_' || c == '+';
		if (!ok)
			stem[i] = '_';
	}
	if (!n) {
		free(stem);
		if (!(stem = strdup("dump")))
			return NULL;
	}
	if (!tag)
		return take_ptr(stem);
	_cleanup_free_ char *path = sd_path_join(dir, base);
	struct sd_sha256 *h;
	if (!path || sd_sha256_create(&h))
		return NULL;
	char hex[65];
	sd_sha256_update(h, path, strlen(path));
	sd_sha256_final(h, hex);
	sd_sha256_destroy(h);
	char *out;
	if (asprintf(&out, "%s-%.8s", stem, hex) < 0)
		return NULL;
	return out;
}

char *sd_input_archive_name(const char *dump, enum sd_compressed_as as)
{
	if (as == SD_COMPRESSED_NONE)
		return NULL;
	const char *base = sd_basename(dump);
	const char *suffix = compression_suffix(base);
	if (!suffix)
		return NULL;
	return strndup(base, strlen(base) - strlen(suffix));
}
