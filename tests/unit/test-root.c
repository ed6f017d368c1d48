// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sd_root_open() on what a hostile root can hold where a file is expected:
 * devices, a FIFO, a socket, a directory, symlinks to them. Each must be
 * refused with the SD_ENOTREG_* code that names it, through openat2() and
 * through the fallback resolver, and never opened: inotify reports every
 * real open (IN_OPEN) and none for O_PATH descriptors, so the test watches
 * the root for IN_OPEN events. A FIFO opened for reading would block: an
 * alarm turns a hang into a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "root.h"
#include "tap.h"

static char dir[80];	/* short: a socket path must fit in sun_path */
static int inotify_fd = -1;

static void make_file(const char *name, const char *content)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void make_symlink(const char *target, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path) < 0)
		printf("# symlink %s: %s\n", path, strerror(errno));
}

/* The names of the files opened (IN_OPEN) in the watched directories since the last call. */
static void opened_since(char *names, size_t size)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	names[0] = '\0';
	for (;;) {
		ssize_t n = read(inotify_fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if ((ev->mask & IN_OPEN) && ev->len) {
				size_t used = strlen(names);
				snprintf(names + used, size - used, "%s ", ev->name);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* sd_root_open(path) must give -want (0: an fd of a regular file) and open nothing else. */
static void expect_open(struct sd_root *root, const char *path, int want, const char *mode)
{
	char opened[1024];
	opened_since(opened, sizeof(opened));
	int fd = sd_root_open(root, path);
	if (fd >= 0)
		close(fd);
	opened_since(opened, sizeof(opened));
	if (want == 0) {
		ok(fd >= 0, "%s: %s opens (%s)", mode, path, fd < 0 ? strerror(-fd) : "ok");
		/* The method can fail: the regular file's open is seen. */
		ok(strstr(opened, "regular") != NULL, "%s: %s: its open is seen (%s)", mode, path,
		   opened);
		return;
	}
	if (fd != -want)
		printf("# got %d (%s), want %d (%s)\n", fd, sd_root_strerror(fd < 0 ? -fd : 0), -want,
		       sd_root_strerror(want));
	ok(fd == -want && sd_root_is_notreg(want), "%s: %s is refused: %s", mode, path,
	   sd_root_strerror(want));
	ok(opened[0] == '\0', "%s: %s: nothing was opened (%s)", mode, path, opened);
}

static void run(struct sd_root *root, const char *mode, bool have_dev)
{
	expect_open(root, "/regular", 0, mode);
	expect_open(root, "/link-regular", 0, mode);
	expect_open(root, "/fifo", SD_ENOTREG_FIFO, mode);
	expect_open(root, "/link-fifo", SD_ENOTREG_FIFO, mode);
	expect_open(root, "/sock", SD_ENOTREG_SOCK, mode);
	expect_open(root, "/link-sock", SD_ENOTREG_SOCK, mode);
	expect_open(root, "/subdir", SD_ENOTREG_DIR, mode);
	expect_open(root, "/link-dotdot", SD_ENOTREG_DIR, mode);
	expect_open(root, "/subdir/../../..", SD_ENOTREG_DIR, mode);
	if (have_dev) {
		expect_open(root, "/dev/null", SD_ENOTREG_CHR, mode);
		/* Absolute symlinks resolve inside the root: this is root/dev/zero. */
		expect_open(root, "/link-zero", SD_ENOTREG_CHR, mode);
		expect_open(root, "/subdir/link-up-null", SD_ENOTREG_CHR, mode);
		expect_open(root, "/dev/loop", SD_ENOTREG_BLK, mode);
	} else {
		for (int i = 0; i < 8; i++)
			ok(true, "%s: devices # SKIP cannot mknod here", mode);
	}
	int fd = sd_root_open(root, "/missing");
	ok(fd == -ENOENT && !sd_root_is_notreg(ENOENT), "%s: a missing file is ENOENT (%s)", mode,
	   sd_root_strerror(-fd));
	fd = sd_root_open_dir(root, "/link-regular");
	ok(fd == -ENOTDIR, "%s: sd_root_open_dir on a file is ENOTDIR (%s)", mode,
	   fd < 0 ? strerror(-fd) : "opened");
	if (fd >= 0)
		close(fd);
	fd = sd_root_open_dir(root, "/link-dotdot");
	ok(fd >= 0, "%s: sd_root_open_dir follows a symlink to a directory", mode);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	/* A FIFO opened for reading without O_NONBLOCK blocks: fail instead of hanging. */
	alarm(30);
	const char *tmp = getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 40 ? getenv("TMPDIR") : "/tmp";
	snprintf(dir, sizeof(dir), "%s/sd-test-root.XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	char path[PATH_MAX + 16];
	make_file("regular", "text\n");
	make_symlink("regular", "link-regular");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ok(mkfifo(path, 0600) == 0, "mkfifo");
	make_symlink("/fifo", "link-fifo");
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	ok(sock >= 0 && bind(sock, (struct sockaddr *)&sun, sizeof(sun)) == 0, "bind a socket");
	make_symlink("sock", "link-sock");
	snprintf(path, sizeof(path), "%s/subdir", dir);
	mkdir(path, 0700);
	make_symlink("..", "link-dotdot");
	make_symlink("../../../../dev/null", "subdir/link-up-null");
	snprintf(path, sizeof(path), "%s/dev", dir);
	mkdir(path, 0700);
	bool have_dev = true;
	const struct { const char *name; mode_t mode; unsigned major, minor; } devs[] = {
		{ "null", S_IFCHR, 1, 3 }, { "zero", S_IFCHR, 1, 5 }, { "loop", S_IFBLK, 7, 0 },
	};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", dir, devs[i].name);
		if (mknod(path, devs[i].mode | 0600, makedev(devs[i].major, devs[i].minor)) < 0)
			have_dev = false;
	}
	make_symlink("/dev/zero", "link-zero");

	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof(path), "%s/dev", dir);
	ok(inotify_fd >= 0 && inotify_add_watch(inotify_fd, dir, IN_OPEN) >= 0 &&
	   inotify_add_watch(inotify_fd, path, IN_OPEN) >= 0, "watch the root for opens");

	struct sd_root *root = NULL;
	struct sd_error *err = sd_root_create(dir, &root);
	ok(!err, "sd_root_create %s", dir);
	sd_error_destroy(err);
	if (root) {
		run(root, "openat2", have_dev);
		sd_root_force_fallback(true);
		run(root, "fallback", have_dev);
		sd_root_force_fallback(false);
		sd_root_destroy(root);
	}
	is_str(sd_root_strerror(SD_ENOTREG_CHR), "not a regular file (character device)",
	       "sd_root_strerror names a character device");
	is_str(sd_root_strerror(ENOENT), strerror(ENOENT), "sd_root_strerror is strerror for an errno");

	close(sock);
	if (inotify_fd >= 0)
		close(inotify_fd);
	const char *const names[] = {
		"link-regular", "regular", "fifo", "link-fifo", "sock", "link-sock",
		"subdir/link-up-null", "link-dotdot", "link-zero", "dev/null", "dev/zero", "dev/loop",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/subdir", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/dev", dir);
	rmdir(path);
	rmdir(dir);
	return tap_done();
}
