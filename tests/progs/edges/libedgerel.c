/* Found through the executable's relative DT_RUNPATH "rlib": link_map name rlib/libedgerel.so. */
int edgerel_call(int x, int (*next)(int));

int edgerel_call(int x, int (*next)(int))
{
	return next(x + 3) + 1; /* libedgerel.c: calls next */
}
