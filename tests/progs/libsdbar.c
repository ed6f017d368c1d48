/* Shared library whose debug info goes through dwz (a .gnu_debugaltlink file). */
#include <stdio.h>
struct sdbar_state {
	int calls;
	int last;
};

static struct sdbar_state state;

int sdbar_call(int x, int (*next)(int));

int sdbar_call(int x, int (*next)(int))
{
	state.calls++;
	state.last = x * 2;
	return next(state.last) + 1; /* libsdbar.c: calls next */
}
