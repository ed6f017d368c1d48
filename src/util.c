// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define BIG_MMAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BIG_MMAP 0
#endif
#endif
#ifndef BIG_MMAP
#define BIG_MMAP 1
#endif

enum { BIG_HEAD = 64, BIG_MIN = 1 << 20, BIG_ALIGN = 2 << 20 };

struct big_head {
	size_t map_len;	/* of the mapping that starts here, or 0: malloc()ed */
	size_t size;	/* usable bytes after the head */
};

void *sd_big_alloc(size_t n)
{
	if (n > SIZE_MAX - BIG_HEAD - 2 * (size_t)BIG_ALIGN)
		return NULL;
	size_t total = n + BIG_HEAD;
	struct big_head *h;
	if (!BIG_MMAP || n < BIG_MIN) {
		if (!(h = malloc(total)))
			return NULL;
		*h = (struct big_head){ 0, n };
		return (char *)h + BIG_HEAD;
	}
	size_t len = (total + BIG_ALIGN - 1) & ~(size_t)(BIG_ALIGN - 1);
	char *m = mmap(NULL, len + BIG_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	char *start = (char *)(((uintptr_t)m + BIG_ALIGN - 1) & ~(uintptr_t)(BIG_ALIGN - 1));
	if (start > m)
		munmap(m, (size_t)(start - m));
	if (m + len + BIG_ALIGN > start + len)
		munmap(start + len, (size_t)(m + len + BIG_ALIGN - (start + len)));
	/* A hint: without THP (or with THP "never") these are plain pages. */
	madvise(start, len, MADV_HUGEPAGE);
	h = (struct big_head *)start;
	*h = (struct big_head){ len, n };
	return start + BIG_HEAD;
}

void sd_big_free(void *p)
{
	if (!p)
		return;
	struct big_head *h = (struct big_head *)((char *)p - BIG_HEAD);
	if (h->map_len)
		munmap(h, h->map_len);
	else
		free(h);
}

size_t sd_big_capacity(const void *p)
{
	const struct big_head *h = (const struct big_head *)((const char *)p - BIG_HEAD);
	return h->map_len ? h->map_len - BIG_HEAD : h->size;
}

void *sd_big_realloc(void *p, size_t n)
{
	if (!p)
		return sd_big_alloc(n);
	struct big_head *h = (struct big_head *)((char *)p - BIG_HEAD);
	if (h->map_len && n <= h->map_len - BIG_HEAD) {
		h->size = n;	/* the mapping has room */
		return p;
	}
	void *q = sd_big_alloc(n);
	if (!q)
		return NULL;
	size_t had = sd_big_capacity(p);	/* all of it may have been written */
	memcpy(q, p, had < n ? had : n);
	sd_big_free(p);
	return q;
}

bool sd_grow(void *ptr, size_t *cap, size_t need, size_t elsize)
{
	void **p = ptr;
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elsize)
		return false;
	void *np = realloc(*p, ncap * elsize);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

struct sd_error *sd_strv_addf(struct sd_strv *sv, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &sd_enomem;
	struct sd_error *err = sd_strv_add(sv, s);
	free(s);
	return err;
}

struct sd_error *sd_strv_add(struct sd_strv *sv, const char *s)
{
	if (!sd_grow(&sv->v, &sv->cap, sv->n + 2, sizeof(*sv->v)))
		return &sd_enomem;
	char *copy = strdup(s);
	if (!copy)
		return &sd_enomem;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return NULL;
}

bool sd_strv_contains(const struct sd_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void sd_strv_deinit(struct sd_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

bool sd_str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool sd_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void sd_hex(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int sd_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool sd_unhex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = sd_hexval(hex[2 * i]), lo = sd_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret_len = n / 2;
	return true;
}

struct sd_error *sd_path_normalize(const char *path, char **ret)
{
	size_t len = strlen(path);
	if (len == 0)
		return sd_error_create(SD_ERROR_INPUT, "empty path");
	if (path[0] != '/')
		return sd_error_create(SD_ERROR_INPUT, "not an absolute path");
	if (len >= SD_PATH_MAX)
		return sd_error_create(SD_ERROR_INPUT, "path longer than %d bytes", SD_PATH_MAX);

	char *out = malloc(len + 2);
	if (!out)
		return &sd_enomem;
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;	/* drop the '/' too; never above root */
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret = out;
	return NULL;
}

struct sd_error *sd_path_relative(const char *link, const char *target, char **ret)
{
	/* Find the common directory prefix of link's directory and target. */
	size_t common = 0;
	for (size_t i = 0; link[i] && target[i] && link[i] == target[i]; i++)
		if (link[i] == '/')
			common = i + 1;
	size_t ups = 0;
	for (const char *p = link + common; *p; p++)
		if (*p == '/')
			ups++;
	size_t tlen = strlen(target + common);
	char *out = malloc(ups * 3 + tlen + 1);
	if (!out)
		return &sd_enomem;
	char *q = out;
	for (size_t i = 0; i < ups; i++) {
		memcpy(q, "../", 3);
		q += 3;
	}
	memcpy(q, target + common, tlen + 1);
	*ret = out;
	return NULL;
}

char *sd_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

const char *sd_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

char *sd_path_join(const char *a, const char *b)
{
	char *out;
	size_t alen = strlen(a);
	while (alen > 0 && a[alen - 1] == '/')
		alen--;
	while (*b == '/')
		b++;
	if (asprintf(&out, "%.*s/%s", (int)alen, a, b) < 0)
		return NULL;
	return out;
}

struct sd_error *sd_read_small_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return &sd_enomem;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max)
				return sd_error_create(SD_ERROR_INPUT, "larger than %zu bytes", max);
			if (!sd_grow(&buf, &cap, cap * 2, 1))
				return &sd_enomem;
		}
		size_t want = cap - len - 1;
		ssize_t n = sd_read_full(fd, buf + len, want);
		if (n < 0)
			return sd_error_errno(errno, "read");
		len += (size_t)n;
		if ((size_t)n < want)
			break;	/* EOF */
	}
	buf[len] = '\0';
	*ret = take_ptr(buf);
	if (ret_len)
		*ret_len = len;
	return NULL;
}

/*
 * read()/pread() (positional) until len bytes, EOF or an error; EINTR is
 * retried. A flag, not a negative offset, chooses: offsets computed from a
 * dump must fail in pread(), never fall back to reading elsewhere.
 */
static ssize_t read_full(int fd, void *buf, size_t len, bool positional, off_t off)
{
	size_t done = 0;
	while (done < len) {
		char *p = (char *)buf + done;
		ssize_t n = positional ? pread(fd, p, len - done, off + (off_t)done)
				       : read(fd, p, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t sd_read_full(int fd, void *buf, size_t len)
{
	return read_full(fd, buf, len, false, 0);
}

ssize_t sd_pread_full(int fd, void *buf, size_t len, off_t off)
{
	return read_full(fd, buf, len, true, off);
}

static bool write_full(int fd, const void *buf, size_t len, bool positional, off_t off)
{
	const char *p = buf;
	while (len) {
		ssize_t n = positional ? pwrite(fd, p, len, off) : write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

bool sd_write_full(int fd, const void *buf, size_t len)
{
	return write_full(fd, buf, len, false, 0);
}

bool sd_pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	return write_full(fd, buf, len, true, off);
}

bool sd_fd_is_compressed(int fd)
{
	uint8_t b[0x210];
	ssize_t n = sd_pread_full(fd, b, sizeof(b), 0);
	if (n < 8)
		return false;
	static const struct {
		const char *magic;
		size_t len;
	} magics[] = {
		{ "KDUMP   ", 8 }, { "DISKDUMP", 8 }, { "\xfd" "7zXZ", 6 },
		{ "\x28\xb5\x2f\xfd", 4 }, { "\x1f\x8b", 2 }, { "BZh", 3 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++)
		if (!memcmp(b, magics[i].magic, magics[i].len))
			return true;
	/* bzImage: the setup header's "HdrS" at 0x202 (Documentation/x86/boot.rst). */
	return n >= 0x206 && !memcmp(b + 0x202, "HdrS", 4);
}

const char *sd_archive_path_of(const char *abs_path)
{
	while (*abs_path == '/')
		abs_path++;
	return abs_path;
}

/*
 * Length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0 if p does not
 * start one. p is NUL-terminated; a NUL ends the check before the terminator.
 */
size_t sd_utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above: beyond U+10FFFF */
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Code points a terminal acts on or that reorder text: C1 controls, the
 * bidirectional embeddings, overrides and isolates ("Trojan Source"), and the
 * directional marks.
 */
static bool is_format_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
}

void sd_fputs_printable(const char *s, FILE *f)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = sd_utf8_len(p);
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			fprintf(f, "\\x%02x", *p);
			p++;
			continue;
		}
		if (n == 1) {
			if (*p == '\\')
				fputc('\\', f);
			fputc(*p++, f);
			continue;
		}
		uint32_t c = p[0] & (0x7f >> n);
		for (size_t i = 1; i < n; i++)
			c = c << 6 | (p[i] & 0x3f);
		if (is_format_control(c))
			fprintf(f, "\\u%04" PRIx32, c);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
}

