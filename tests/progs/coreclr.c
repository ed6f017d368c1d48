/* Stand-in for libcoreclr.so: loads the JIT from its own directory, then crashes. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int coreclr_initialize(const char *dir);

int coreclr_initialize(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/libclrjit.so", dir);
	void *jit = dlopen(path, RTLD_NOW);
	int (*get_jit)(void) = jit ? (int (*)(void))dlsym(jit, "getJit") : NULL;
	if (getenv("SD_WAIT")) {
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	volatile int *p = NULL;
	*p = get_jit ? get_jit() : -1; /* coreclr.c: crash in the runtime */
	return 0;
}
