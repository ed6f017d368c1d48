// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tar output through libarchive: pax format (ustar cannot hold files over
 * 8 GiB and the GNU writer drops sparse maps). zstd (the default) is done
 * by zstd.c on the tar stream libarchive hands over, gzip and xz by
 * libarchive's filters. The only file that includes libarchive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "output.h"
#include "reader.h"
#include "util.h"
#include "zstream.h"

struct tar_out {
	struct archive *a;
	int fd;
	char *tmp;
	char *final;
	char *top;
	bool force;
	bool to_stdout;		/* fd is a copy of standard output: no temporary name */
	bool committed;
	time_t mtime;
	struct sd_zstd *zstd;		/* NULL unless zstd */
	struct sd_error *write_err;	/* what the zstd write callback hit */
};

static const uint8_t zeros[1 << 16];

static struct sd_error *ar_error(struct tar_out *t, const char *what)
{
	if (t->write_err) {
		struct sd_error *err = t->write_err;
		t->write_err = NULL;
		return err;
	}
	const char *msg = archive_error_string(t->a);
	int e = archive_errno(t->a);
	/* Failures of the output file itself read best as the system's message. */
	if (e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == EACCES || e == EPERM ||
	    e == EFBIG || e == EPIPE)
		return sd_error_errno(e, "%s: %s", t->tmp, what);
	return sd_error_create(SD_ERROR_LIBRARY, "%s: %s: %s", t->tmp, what,
			       msg ? msg : "libarchive error");
}

static struct archive_entry *new_entry(struct tar_out *t, const char *path, mode_t type,
				       mode_t perm)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return NULL;
	char *full = sd_path_join(t->top, path);
	if (!full) {
		archive_entry_free(e);
		return NULL;
	}
	archive_entry_copy_pathname(e, full);
	free(full);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, t->mtime, 0);
	return e;
}

static struct sd_error *tar_add_dir(void *impl, const char *path)
{
	struct tar_out *t = impl;
	struct archive_entry *e = new_entry(t, path, AE_IFDIR, 0755);
	if (!e)
		return &sd_enomem;
	int r = archive_write_header(t->a, e);
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? ar_error(t, path) : NULL;
}

/* A hole: libarchive skips it in sparse entries, but must be told its length. */
static struct sd_error *write_hole(struct tar_out *t, uint64_t len, const char *path)
{
	while (len) {
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;
		if (archive_write_data(t->a, zeros, n) < 0)
			return ar_error(t, path);
		len -= n;
	}
	return NULL;
}

/*
 * Is this file's content compressed already? Decided from its first bytes:
 * kdump-compressed dumps (pages compressed one by one), xz, zstd, gzip and
 * bzip2 files (.ko.xz, initramfs) and x86 bzImages (vmlinuz).
 */
static struct sd_error *tar_add_file(void *impl, const char *path, const struct sd_file_src *src,
				     sd_progress_fn *progress, void *progress_arg)
{
	struct tar_out *t = impl;
	struct sd_error *err;
	uint64_t data = 0;
	for (size_t i = 0; i < src->n_ext; i++)
		data += src->ext[i].len;

	if (t->zstd) {
		int level = sd_zstd_default_level(t->zstd);
		if (src->n_ext && src->ext[0].off == 0 && sd_fd_is_compressed(src->fd))
			level = SD_ZSTD_STORED;
		if ((err = sd_zstd_set_level(t->zstd, level)))
			return err;
	}
	struct archive_entry *e = new_entry(t, path, AE_IFREG, src->mode & 0111 ? 0755 : 0644);
	if (!e)
		return &sd_enomem;
	archive_entry_set_size(e, (la_int64_t)src->size);
	if (data < src->size) {
		for (size_t i = 0; i < src->n_ext; i++)
			archive_entry_sparse_add_entry(e, (la_int64_t)src->ext[i].off,
						       (la_int64_t)src->ext[i].len);
		/* A file that is all hole still needs one (empty) entry to be sparse. */
		if (src->n_ext == 0)
			archive_entry_sparse_add_entry(e, (la_int64_t)src->size, 0);
	}
	int r = archive_write_header(t->a, e);
	archive_entry_free(e);
	if (r < ARCHIVE_WARN)
		return ar_error(t, path);

	for (uint64_t pos = 0;;) {
		struct sd_reader_chunk c;
		if ((err = sd_reader_next(src->reader, &c)))
			return err;
		if ((err = write_hole(t, c.off - pos, path)))
			return err;
		if (progress && c.off > pos)
			progress(progress_arg, c.off - pos);
		if (!c.len)
			return NULL;
		if (archive_write_data(t->a, c.data, c.len) < 0)
			return ar_error(t, path);
		if (progress)
			progress(progress_arg, c.len);
		pos = c.off + c.len;
	}
}

static struct sd_error *tar_add_data(void *impl, const char *path, const void *buf, size_t len,
				     mode_t mode)
{
	struct tar_out *t = impl;
	struct archive_entry *e = new_entry(t, path, AE_IFREG, mode & 0111 ? 0755 : 0644);
	if (!e)
		return &sd_enomem;
	archive_entry_set_size(e, (la_int64_t)len);
	int r = archive_write_header(t->a, e);
	archive_entry_free(e);
	if (r < ARCHIVE_WARN)
		return ar_error(t, path);
	if (len && archive_write_data(t->a, buf, len) < 0)
		return ar_error(t, path);
	return NULL;
}

static struct sd_error *tar_add_symlink(void *impl, const char *path, const char *target)
{
	struct tar_out *t = impl;
	struct archive_entry *e = new_entry(t, path, AE_IFLNK, 0777);
	if (!e)
		return &sd_enomem;
	archive_entry_copy_symlink(e, target);
	int r = archive_write_header(t->a, e);
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? ar_error(t, path) : NULL;
}

static struct sd_error *tar_commit(void *impl)
{
	struct tar_out *t = impl;
	struct sd_error *err;
	if (archive_write_close(t->a) != ARCHIVE_OK)
		return ar_error(t, "closing the archive");
	if (t->zstd && (err = sd_zstd_finish(t->zstd)))
		return err;
	if (t->to_stdout) {
		/* A pipe cannot be synced; a file standard output was redirected to can. */
		if (fsync(t->fd) < 0 && errno != EINVAL && errno != EROFS)
			return sd_error_errno(errno, "standard output");
		if (close(t->fd) < 0)
			return sd_error_errno(errno, "standard output");
		t->fd = -1;
		t->committed = true;
		return NULL;
	}
	if (fsync(t->fd) < 0)
		return sd_error_errno(errno, "fsync %s", t->tmp);
	sd_out_signal_tmp = NULL;
	err = sd_out_rename(t->tmp, t->final, t->force);
	if (err)
		return err;
	t->committed = true;
	return NULL;
}

static void tar_destroy(void *impl)
{
	struct tar_out *t = impl;
	if (!t)
		return;
	if (t->a)
		archive_write_free(t->a);
	sd_zstd_destroy(t->zstd);
	sd_error_destroy(t->write_err);
	if (t->fd >= 0)
		close(t->fd);
	sd_out_signal_tmp = NULL;
	if (!t->committed && t->tmp && !t->to_stdout)
		unlink(t->tmp);
	free(t->tmp);
	free(t->final);
	free(t->top);
	free(t);
}

static const struct sd_out_ops tar_ops = {
	.add_dir = tar_add_dir,
	.add_file = tar_add_file,
	.add_data = tar_add_data,
	.add_symlink = tar_add_symlink,
	.commit = tar_commit,
	.destroy = tar_destroy,
};

static la_ssize_t zstd_write(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void)a;
	struct tar_out *t = arg;
	struct sd_error *err = sd_zstd_write(t->zstd, buf, len);
	if (err) {
		sd_error_destroy(t->write_err);
		t->write_err = err;
		return -1;
	}
	return (la_ssize_t)len;
}

static struct sd_error *set_filter(struct tar_out *t, const struct sd_out_config *cfg)
{
	char opts[128] = "";
	int r;
	switch (cfg->compression) {
	case SD_COMPRESS_ZSTD: {
		/* zstd.c compresses what libarchive writes; see zstd_write(). */
		struct sd_error *err = sd_zstd_create(t->fd, t->tmp, cfg->level ? cfg->level : 3,
						      cfg->threads, &t->zstd);
		if (err)
			return err;
		r = archive_write_add_filter_none(t->a);
		break;
	}
	case SD_COMPRESS_GZIP:
		r = archive_write_add_filter_gzip(t->a);
		if (r == ARCHIVE_OK && cfg->level)
			snprintf(opts, sizeof(opts), "gzip:compression-level=%d", cfg->level);
		break;
	case SD_COMPRESS_XZ:
		r = archive_write_add_filter_xz(t->a);
		if (r == ARCHIVE_OK)
			snprintf(opts, sizeof(opts), "xz:threads=%d%s%.0d", cfg->threads,
				 cfg->level ? ",xz:compression-level=" : "", cfg->level);
		break;
	case SD_COMPRESS_NONE:
	default:
		r = archive_write_add_filter_none(t->a);
		break;
	}
	if (r != ARCHIVE_OK)
		return ar_error(t, "compression filter");
	if (opts[0] && archive_write_set_options(t->a, opts) < ARCHIVE_WARN)
		return ar_error(t, opts);
	return NULL;
}

struct sd_error *sd_archive_open(const struct sd_out_config *cfg, struct sd_out *ret)
{
	struct tar_out *t = calloc(1, sizeof(*t));
	if (!t)
		return &sd_enomem;
	t->fd = -1;
	t->force = cfg->force;
	t->mtime = cfg->mtime;
	t->final = strdup(cfg->path);
	t->top = strdup(cfg->top);
	t->a = archive_write_new();
	struct sd_error *err = NULL;
	if (!t->final || !t->top || !t->a) {
		err = &sd_enomem;
		goto fail;
	}
	if (cfg->to_stdout) {
		/* Messages for the file written name it so. */
		t->to_stdout = true;
		t->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (t->fd < 0 || !(t->tmp = strdup("standard output"))) {
			err = t->fd < 0 ? sd_error_errno(errno, "standard output") : &sd_enomem;
			goto fail;
		}
	} else {
		if ((err = sd_out_tmpname(cfg->path, false, &t->fd, &t->tmp)))
			goto fail;
		sd_out_signal_tmp_is_dir = 0;
		sd_out_signal_tmp = t->tmp;
	}
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK) {
		err = ar_error(t, "pax format");
		goto fail;
	}
	if ((err = set_filter(t, cfg)))
		goto fail;
	/* No padding to 10 KiB records beyond what tar readers require. */
	archive_write_set_bytes_in_last_block(t->a, 1);
	int r;
	if (t->zstd) {
		/* Unbuffered: each write reaches zstd at once, so level changes apply per entry. */
		archive_write_set_bytes_per_block(t->a, 0);
		r = archive_write_open2(t->a, t, NULL, zstd_write, NULL, NULL);
	} else {
		r = archive_write_open_fd(t->a, t->fd);
	}
	if (r != ARCHIVE_OK) {
		err = ar_error(t, "open");
		goto fail;
	}
	ret->ops = &tar_ops;
	ret->impl = t;
	return NULL;
fail:
	tar_destroy(t);
	return err;
}

struct sd_error *sd_decompress_fd(int fd, size_t max, void **ret, size_t *ret_len)
{
	/* A separate open file description: reading must not move fd's offset. */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	int rfd = open(proc, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return sd_error_errno(errno, "reopen");
	struct archive *a = archive_read_new();
	if (!a) {
		close(rfd);
		return &sd_enomem;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct sd_error *err = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	struct archive_entry *entry;
	if (archive_read_open_fd(a, rfd, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		err = sd_error_create(SD_ERROR_INPUT, "cannot decompress: %s",
				      archive_error_string(a) ? archive_error_string(a) : "?");
		goto out;
	}
	for (;;) {
		if (len + (1 << 16) > cap) {
			size_t ncap = cap ? cap * 2 : 1 << 17;
			uint8_t *nb = ncap > cap ? sd_big_realloc(buf, ncap) : NULL;
			if (!nb) {
				err = &sd_enomem;
				goto out;
			}
			buf = nb;
			cap = sd_big_capacity(nb);
		}
		la_ssize_t n = archive_read_data(a, buf + len, cap - len);
		if (n < 0) {
			err = sd_error_create(SD_ERROR_INPUT, "cannot decompress: %s",
					      archive_error_string(a) ? archive_error_string(a) : "?");
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			err = sd_error_create(SD_ERROR_INPUT, "decompresses to more than %zu bytes", max);
			goto out;
		}
	}
	*ret = take_ptr(buf);
	*ret_len = len;
out:
	sd_big_free(buf);
	archive_read_free(a);
	close(rfd);
	return err;
}

/*
 * A symlink target that stays inside the archive: relative, and resolved
 * from the link's own directory it never climbs above the archive's top.
 */
static bool link_stays_inside(const char *path, const char *target)
{
	if (!*target || target[0] == '/')
		return false;
	int depth = 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			depth++;	/* directories above the link's name */
	for (const char *t = target; *t;) {
		size_t n = strcspn(t, "/");
		if (n == 2 && t[0] == '.' && t[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && t[0] == '.')) {
			depth++;
		}
		t += n;
		t += *t == '/';
	}
	return true;
}

struct sd_error *sd_archive_extract(const char *path, const char *dir, uint64_t max_bytes)
{
	struct archive *a = archive_read_new();
	struct archive *disk = archive_write_disk_new();
	struct sd_error *err = NULL;
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!a || !disk || cwd < 0) {
		err = cwd < 0 ? sd_error_errno(errno, "open .") : &sd_enomem;
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	/* Nothing leaves dir: no absolute names, no "..", no writing through symlinks. */
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					     ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
					     ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_SPARSE);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	if (chdir(dir) < 0) {
		err = sd_error_errno(errno, "%s", dir);
		goto out;
	}
	uint64_t total = 0;
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: %s", path, archive_error_string(a));
			goto out;
		}
		const char *name = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);
		if (!name || archive_entry_hardlink(e) ||
		    (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: entry %s is not a file, directory "
					      "or symlink: not an archive savedump wrote", path,
					      name ? name : "?");
			goto out;
		}
		if (type == AE_IFLNK && !link_stays_inside(name, archive_entry_symlink(e) ?
									 archive_entry_symlink(e) : "")) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: symlink %s points outside the "
					      "archive", path, name);
			goto out;
		}
		archive_entry_set_perm(e, archive_entry_perm(e) & 0755);
		total += (uint64_t)archive_entry_size(e);
		if (total > max_bytes) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: more than %" PRIu64 " bytes", path,
					      max_bytes);
			goto out;
		}
		if (archive_write_header(disk, e) != ARCHIVE_OK) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: %s: %s", path, name,
					      archive_error_string(disk));
			goto out;
		}
		const void *buf;
		size_t len;
		la_int64_t off;
		while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
			if (archive_write_data_block(disk, buf, len, off) != ARCHIVE_OK) {
				err = sd_error_create(SD_ERROR_OTHER, "%s: %s", name,
						      archive_error_string(disk));
				goto out;
			}
		}
		if (r != ARCHIVE_EOF) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: %s", path, archive_error_string(a));
			goto out;
		}
		if (archive_write_finish_entry(disk) != ARCHIVE_OK) {
			err = sd_error_create(SD_ERROR_OTHER, "%s: %s", name, archive_error_string(disk));
			goto out;
		}
	}
	if (archive_write_close(disk) != ARCHIVE_OK)
		err = sd_error_create(SD_ERROR_OTHER, "%s", archive_error_string(disk));
out:
	if (cwd >= 0) {
		if (fchdir(cwd) < 0 && !err)
			err = sd_error_errno(errno, "fchdir");
		close(cwd);
	}
	if (disk)
		archive_write_free(disk);
	if (a)
		archive_read_free(a);
	return err;
}
