/* A multi-threaded program that crashes in a known place, through a shared
 * library (libsdfoo), a dlopen()ed plugin and a dwz'd library (libsdbar). */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int sdfoo_compute(int depth, void (*leaf)(int));
int sdbar_call(int x, int (*next)(int));

static pthread_barrier_t ready;

static void *sleeper_thread(void *arg)
{
	pthread_barrier_wait(&ready);
	for (;;)
		pause();
	return arg;
}

static void crash_leaf(int value)
{
	volatile int *p = NULL;
	if (getenv("SD_WAIT")) {
		/* For gcore: report readiness, then wait to be dumped and killed. */
		printf("ready %d\n", value);
		fflush(stdout);
		for (;;)
			pause();
	}
	*p = value; /* crasher.c: the crash site */
}

static int stage_foo(int x)
{
	return sdfoo_compute(x % 4, crash_leaf) + 1;
}

static int stage_bar(int x)
{
	return sdbar_call(x, stage_foo) + 1;
}

/*
 * SD_SPARSE_MIB=N: map N MiB and write one page in every 64 MiB of it, so
 * the kernel's core of this process is mostly holes.
 */
static void make_sparse(void)
{
	const char *mib = getenv("SD_SPARSE_MIB");
	if (!mib)
		return;
	size_t len = (size_t)strtoul(mib, NULL, 10) << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (p == MAP_FAILED)
		return;
	for (size_t off = 0; off < len; off += 64 << 20)
		snprintf(p + off, 4096, "sparse page at offset %zu of %zu", off, len);
}

int main(int argc, char **argv)
{
	make_sparse();
	pthread_t t[2];
	pthread_barrier_init(&ready, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, sleeper_thread, NULL);
	pthread_barrier_wait(&ready);

	int (*plugin_entry)(int, int (*)(int)) = NULL;
	/* The first plugin is called; more are only loaded, by whatever name they are given. */
	for (int i = 1; i < argc; i++) {
		void *h = dlopen(argv[i], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 1;
		}
		if (i == 1)
			plugin_entry = (int (*)(int, int (*)(int)))dlsym(h, "sdplugin_entry");
	}
	/* main -> plugin -> libsdbar -> libsdfoo -> crash_leaf: every object on the stack. */
	return plugin_entry ? plugin_entry(3, stage_bar) : stage_bar(3);
}
