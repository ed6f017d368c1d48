/*
 * The edges of a userland core: libraries known by relative names
 * (LD_LIBRARY_PATH=./lib, a relative DT_RUNPATH, dlopen("plugins/x.so"),
 * $ORIGIN/../olib), a locale, and a mapped data file.
 *   cd APP && LD_LIBRARY_PATH=./lib ./prog DATAFILE
 * With SD_WAIT set it reports readiness and waits (for gcore) instead of crashing.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int edgefoo_call(int x, int (*next)(int));
int edgerel_call(int x, int (*next)(int));

const char *mapped_data;	/* the data file, mapped read-only */
static int (*plugin_entry)(int, int (*)(int));

static int crash_function(int value)
{
	volatile int *p = NULL;
	if (getenv("SD_WAIT")) {
		printf("ready %d\n", value);
		fflush(stdout);
		for (;;)
			pause();
	}
	*p = value; /* prog.c: the crash site */
	return value;
}

static int via_plugin(int x)
{
	return plugin_entry(x + 1, crash_function) + 1;
}

static int via_rel(int x)
{
	return edgerel_call(x + 1, via_plugin) + 1;
}

int main(int argc, char **argv)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "setlocale C.UTF-8 failed\n");
		return 1;
	}
	if (argc < 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return 1;
	mapped_data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (mapped_data == MAP_FAILED)
		return 1;
	close(fd);
	void *h = dlopen("plugins/x.so", RTLD_NOW);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	plugin_entry = (int (*)(int, int (*)(int)))dlsym(h, "edgeplugin_entry");
	if (!plugin_entry)
		return 1;
	/* main -> libedgefoo -> libedgerel -> plugin -> libedgeorigin -> crash_function */
	return edgefoo_call(1, via_rel);
}
