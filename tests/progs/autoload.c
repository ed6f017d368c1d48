/*
 * A program whose debug information carries a script gdb would run when it
 * loads the file: an inline Python script in .debug_gdb_scripts (type 4,
 * "gdb.inlined-script"). Split into a .debug file, it shows whether
 * run-gdb.sh lets gdb run code from the archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__asm__(".pushsection \".debug_gdb_scripts\", \"MS\",@progbits,1\n"
	".byte 4\n"
	".ascii \"gdb.inlined-script\\n\"\n"
	".ascii \"print('SAVEDUMP-AUTOLOAD-SCRIPT-RAN')\\n\"\n"
	".byte 0\n"
	".popsection\n");

int main(void)
{
	if (getenv("SD_WAIT")) {
		/* For gcore: report readiness, then wait to be dumped and killed. */
		printf("ready 1\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}
