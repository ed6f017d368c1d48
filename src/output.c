// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "output.h"
#include "util.h"

struct sd_error *sd_out_open(const struct sd_out_config *cfg, struct sd_out *ret)
{
	return cfg->directory ? sd_outdir_open(cfg, ret) : sd_archive_open(cfg, ret);
}

void sd_out_destroy(struct sd_out *out)
{
	if (out->ops)
		out->ops->destroy(out->impl);
	out->ops = NULL;
	out->impl = NULL;
}

const char *volatile sd_out_signal_tmp;
volatile sig_atomic_t sd_out_signal_tmp_is_dir;
const char *volatile sd_out_signal_input;

struct dirent64_head {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/*
 * Remove what dirfd holds, with system calls only: no allocation, so a
 * signal handler may call it. Depth is bounded (the plan's paths are);
 * a pass that removes nothing ends it.
 */
static void rm_contents(int dirfd, int depth)
{
	char buf[2048] __attribute__((aligned(8)));
	for (;;) {
		if (lseek(dirfd, 0, SEEK_SET) < 0)
			return;
		long n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf));
		if (n <= 0)
			return;
		bool removed = false;
		for (long off = 0; off < n;) {
			const struct dirent64_head *e = (const void *)(buf + off);
			off += e->reclen;
			if (e->name[0] == '.' && (!e->name[1] || (e->name[1] == '.' && !e->name[2])))
				continue;
			if (unlinkat(dirfd, e->name, 0) == 0) {
				removed = true;
				continue;
			}
			if (errno != EISDIR || depth >= 64)
				continue;
			int sub = openat(dirfd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				rm_contents(sub, depth + 1);
				close(sub);
			}
			if (unlinkat(dirfd, e->name, AT_REMOVEDIR) == 0)
				removed = true;
		}
		if (!removed)
			return;
	}
}

void sd_out_signal_cleanup(void)
{
	const char *tmp = sd_out_signal_tmp;
	if (!tmp)
		return;
	if (!sd_out_signal_tmp_is_dir) {
		unlink(tmp);
		return;
	}
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		rm_contents(fd, 0);
		close(fd);
	}
	rmdir(tmp);
}

struct sd_error *sd_file_extents(int fd, uint64_t size, struct sd_extent **ret, size_t *ret_n)
{
	struct sd_extent *ext = NULL;
	size_t n = 0, cap = 0;
	uint64_t pos = 0;
	while (pos < size) {
		off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;	/* only a hole up to the end */
			/* No hole support: everything is data. */
			free(ext);
			ext = malloc(sizeof(*ext));
			if (!ext)
				return &sd_enomem;
			ext[0] = (struct sd_extent){ 0, size };
			n = 1;
			break;
		}
		if ((uint64_t)data >= size)
			break;
		off_t hole = lseek(fd, data, SEEK_HOLE);
		uint64_t end = hole < 0 || (uint64_t)hole > size ? size : (uint64_t)hole;
		if (!sd_grow(&ext, &cap, n + 1, sizeof(*ext))) {
			free(ext);
			return &sd_enomem;
		}
		if (n + 1 == SD_MAX_EXTENTS)
			end = size;	/* cap: the rest is one extent */
		ext[n++] = (struct sd_extent){ (uint64_t)data, end - (uint64_t)data };
		pos = end;
	}
	*ret = ext;
	*ret_n = n;
	return NULL;
}

struct sd_error *sd_out_tmpname(const char *final, bool directory, int *ret_fd, char **ret_name)
{
	_cleanup_free_ char *dir = sd_dirname(final);
	if (!dir)
		return &sd_enomem;
	char *name;
	if (asprintf(&name, "%s/.%s.XXXXXX", dir, sd_basename(final)) < 0)
		return &sd_enomem;
	int fd;
	if (directory) {
		if (!mkdtemp(name)) {
			int e = errno;
			free(name);
			return sd_error_errno(e, "cannot create a directory in %s", dir);
		}
		fd = open(name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			rmdir(name);
			free(name);
			return sd_error_errno(e, "%s", name);
		}
	} else {
		fd = mkostemp(name, O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			free(name);
			return sd_error_errno(e, "cannot create a file in %s", dir);
		}
		/* mkostemp makes 0600; an archive is an ordinary file. */
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	*ret_fd = fd;
	*ret_name = name;
	return NULL;
}

void sd_fsync_parent(const char *path)
{
	_cleanup_free_ char *dir = sd_dirname(path);
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

struct sd_error *sd_out_rename(const char *tmp, const char *final, bool force)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, force ? 0 : RENAME_NOREPLACE) == 0)
		goto done;
	if (errno == EEXIST && !force)
		return sd_error_create(SD_ERROR_EXISTS, "%s already exists (use --force to replace it)",
				       final);
	if (errno == EINVAL && !force) {
		/* File systems without RENAME_NOREPLACE: link() fails if final exists. */
		struct stat st;
		if (lstat(tmp, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (link(tmp, final) == 0) {
				unlink(tmp);
				goto done;
			}
			if (errno == EEXIST)
				return sd_error_create(SD_ERROR_EXISTS,
						       "%s already exists (use --force to replace it)",
						       final);
		}
		return sd_error_errno(errno, "cannot rename %s to %s", tmp, final);
	}
	if ((errno == EEXIST || errno == ENOTEMPTY || errno == EISDIR) && force) {
		/* Replacing a directory: move the old one aside, then remove it. */
		_cleanup_free_ char *old = NULL;
		if (asprintf(&old, "%s.old.XXXXXX", tmp) < 0)
			return &sd_enomem;
		if (!mkdtemp(old))
			return sd_error_errno(errno, "cannot replace %s", final);
		_cleanup_free_ char *aside = sd_path_join(old, "x");
		if (!aside)
			return &sd_enomem;
		if (rename(final, aside) < 0 || rename(tmp, final) < 0)
			return sd_error_errno(errno, "cannot replace %s", final);
		nftw(old, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		goto done;
	}
	return sd_error_errno(errno, "cannot rename %s to %s", tmp, final);
done:
	sd_fsync_parent(final);
	return NULL;
}
