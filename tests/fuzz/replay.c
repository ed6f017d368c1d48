// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for a fuzz target built without libFuzzer: replays inputs through
 * LLVMFuzzerTestOneInput() and prints TAP, one result per input. A crash, a
 * sanitizer report or a broken fuzz_assert() kills the process, which the
 * TAP driver reports as an error.
 *
 *	fuzz-NAME			the built-in seeds, then every file in
 *					$srcdir/tests/fuzz/corpus/NAME (make check)
 *	fuzz-NAME FILE|DIR...		those files (a crash found by make fuzz)
 *	fuzz-NAME --write-seeds DIR	write the seeds into DIR, for libFuzzer
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static int n_tests;

/* Each input in a buffer of exactly its size, so that ASan sees a read one byte past it. */
static void run(const char *what, const void *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	printf("ok %d - %s (%zu bytes)\n", ++n_tests, what, size);
	fflush(stdout);
}

static void replay_seed(void *arg, const char *name, const void *data, size_t size)
{
	char what[256];
	snprintf(what, sizeof(what), "%s: seed %s", fuzz_name, name);
	run(what, data, size);
}

static void write_seed(void *arg, const char *name, const void *data, size_t size)
{
	const char *dir = arg;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "fuzz-%s: cannot write %s: %s\n", fuzz_name, path, strerror(errno));
		exit(1);
	}
}

static void replay_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t size = (size_t)st.st_size;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf || (size && read(fd, buf, size) != (ssize_t)size)) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	close(fd);
	run(path, buf, size);
	free(buf);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's files, in name order so that a run is reproducible. */
static void replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(e->d_name))) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		replay_path(file);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-seeds")) {
		if (mkdir(argv[2], 0777) < 0 && errno != EEXIST) {
			fprintf(stderr, "fuzz-%s: %s: %s\n", fuzz_name, argv[2], strerror(errno));
			return 1;
		}
		fuzz_seeds(write_seed, argv[2]);
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "usage: fuzz-%s [--write-seeds DIR | FILE|DIR...]\n", fuzz_name);
		return 2;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_path(argv[i]);
	} else {
		fuzz_seeds(replay_seed, NULL);
		/* Inputs kept because they once found a bug. */
		const char *srcdir = getenv("srcdir");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", srcdir ? srcdir : ".",
			 fuzz_name);
		if (access(dir, F_OK) == 0)
			replay_path(dir);
	}
	printf("1..%d\n", n_tests);
	return 0;
}
