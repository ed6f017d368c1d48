/* A process laid out like a .NET application, for tests (there is no .NET runtime
 * on Debian 12): the host loads the runtime's libcoreclr.so from
 * DOTNET_ROOT/shared/Microsoft.NETCore.App/X.Y.Z/, which loads libclrjit.so; the
 * managed assemblies (.dll) are mapped as plain files, as CoreCLR does; JIT code
 * lives in a "doublemapper" memfd. Then it crashes inside the "runtime".
 *   dotnet-host RUNTIME_DIR ASSEMBLY.dll...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s RUNTIME_DIR ASSEMBLY...\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 ||
		    mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
			perror(argv[i]);
			return 1;
		}
		close(fd);
	}
	int mfd = memfd_create("doublemapper", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 65536) < 0 ||
	    mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0) == MAP_FAILED) {
		perror("memfd");
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/libcoreclr.so", argv[1]);
	void *clr = dlopen(path, RTLD_NOW);
	if (!clr) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	int (*initialize)(const char *) = (int (*)(const char *))dlsym(clr, "coreclr_initialize");
	return initialize(argv[1]);
}
