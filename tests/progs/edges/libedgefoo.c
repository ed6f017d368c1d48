/* Found through LD_LIBRARY_PATH=./lib: link_map name ./lib/libedgefoo.so. */
int edgefoo_call(int x, int (*next)(int));

int edgefoo_call(int x, int (*next)(int))
{
	return next(x * 2) + 1; /* libedgefoo.c: calls next */
}
