/* Second library sharing types with libsdbar, so that dwz has common DWARF to move
 * into a supplementary file. */
#include <stdio.h>

struct sdbar_state {
	int calls;
	int last;
};

static struct sdbar_state baz_state;

int sdbaz_log(FILE *f, int x);

int sdbaz_log(FILE *f, int x)
{
	baz_state.calls++;
	return fprintf(f, "%d\n", x);
}
