// SPDX-License-Identifier: GPL-2.0-or-later
/* --output-dir: the collection as a plain directory tree, holes kept as holes. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cleanup.h"
#include "hash.h"
#include "output.h"
#include "util.h"

struct dir_out {
	int dirfd;
	char *tmp;
	char *final;
	bool force;
	bool committed;
	time_t mtime;
	void *buf;
};

static void set_mtime(struct dir_out *d, const char *path)
{
	struct timespec ts[2] = { { d->mtime, 0 }, { d->mtime, 0 } };
	utimensat(d->dirfd, path, ts, AT_SYMLINK_NOFOLLOW);
}

static struct sd_error *dir_add_dir(void *impl, const char *path)
{
	struct dir_out *d = impl;
	if (mkdirat(d->dirfd, path, 0755) < 0 && errno != EEXIST)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	return NULL;
}

/* Create path's file; paths come from the plan, relative and normalised. */
static int create_file(struct dir_out *d, const char *path, mode_t mode)
{
	return openat(d->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      mode & 0111 ? 0755 : 0644);
}

static struct sd_error *dir_add_file(void *impl, const char *path, int fd, uint64_t size,
				     mode_t mode, struct sd_sha256 *h, sd_progress_fn *progress,
				     void *progress_arg)
{
	struct dir_out *d = impl;
	_cleanup_free_ struct sd_extent *ext = NULL;
	size_t n_ext;
	struct sd_error *err = sd_file_extents(fd, size, &ext, &n_ext);
	if (err)
		return err;
	_cleanup_close_ int out = create_file(d, path, mode);
	if (out < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	static const uint8_t zeros[1 << 16];
	uint64_t pos = 0;
	for (size_t i = 0; i <= n_ext; i++) {
		uint64_t off = i < n_ext ? ext[i].off : size;
		uint64_t len = i < n_ext ? ext[i].len : 0;
		for (uint64_t z = off - pos; h && z;) {
			size_t n = z > sizeof(zeros) ? sizeof(zeros) : (size_t)z;
			sd_sha256_update(h, zeros, n);
			z -= n;
		}
		if (progress && off > pos)
			progress(progress_arg, off - pos);
		pos = off;
		while (len) {
			size_t want = len > SD_IO_BUFSZ ? SD_IO_BUFSZ : (size_t)len;
			ssize_t got = sd_pread_full(fd, d->buf, want, (off_t)pos);
			if (got < 0)
				return sd_error_errno(errno, "read %s", path);
			if (got == 0)
				return sd_error_create(SD_ERROR_INPUT,
						       "%s shrank while it was being copied", path);
			if (h)
				sd_sha256_update(h, d->buf, (size_t)got);
			if (pwrite(out, d->buf, (size_t)got, (off_t)pos) != got)
				return sd_error_errno(errno ? errno : EIO, "write %s/%s", d->tmp,
						      path);
			posix_fadvise(fd, (off_t)pos, got, POSIX_FADV_DONTNEED);
			pos += (uint64_t)got;
			len -= (uint64_t)got;
			if (progress)
				progress(progress_arg, (uint64_t)got);
		}
	}
	if (ftruncate(out, (off_t)size) < 0 || fsync(out) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static struct sd_error *dir_add_data(void *impl, const char *path, const void *buf, size_t len,
				     mode_t mode)
{
	struct dir_out *d = impl;
	_cleanup_close_ int out = create_file(d, path, mode);
	if (out < 0 || !sd_write_full(out, buf, len) || fsync(out) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static struct sd_error *dir_add_symlink(void *impl, const char *path, const char *target)
{
	struct dir_out *d = impl;
	if (symlinkat(target, d->dirfd, path) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static int mtime_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static time_t walk_mtime;

static int mtime_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP) {
		struct timespec ts[2] = { { walk_mtime, 0 }, { walk_mtime, 0 } };
		utimensat(AT_FDCWD, path, ts, 0);
	}
	return 0;
}

static struct sd_error *dir_commit(void *impl)
{
	struct dir_out *d = impl;
	/* Directory mtimes last: creating entries changed them. */
	walk_mtime = d->mtime;
	nftw(d->tmp, mtime_entry, 16, FTW_DEPTH | FTW_PHYS);
	fsync(d->dirfd);
	struct sd_error *err = sd_out_rename(d->tmp, d->final, d->force);
	if (err)
		return err;
	d->committed = true;
	return NULL;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void dir_destroy(void *impl)
{
	struct dir_out *d = impl;
	if (!d)
		return;
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (!d->committed && d->tmp)
		nftw(d->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(d->tmp);
	free(d->final);
	free(d->buf);
	free(d);
}

static const struct sd_out_ops dir_ops = {
	.add_dir = dir_add_dir,
	.add_file = dir_add_file,
	.add_data = dir_add_data,
	.add_symlink = dir_add_symlink,
	.commit = dir_commit,
	.destroy = dir_destroy,
};

struct sd_error *sd_outdir_open(const struct sd_out_config *cfg, struct sd_out *ret)
{
	struct dir_out *d = calloc(1, sizeof(*d));
	if (!d)
		return &sd_enomem;
	d->dirfd = -1;
	d->force = cfg->force;
	d->mtime = cfg->mtime;
	d->final = strdup(cfg->path);
	d->buf = malloc(SD_IO_BUFSZ);
	struct sd_error *err = NULL;
	if (!d->final || !d->buf) {
		err = &sd_enomem;
		goto fail;
	}
	if ((err = sd_out_tmpname(cfg->path, true, &d->dirfd, &d->tmp)))
		goto fail;
	fchmod(d->dirfd, 0755);
	ret->ops = &dir_ops;
	ret->impl = d;
	return NULL;
fail:
	dir_destroy(d);
	return err;
}
