/* Found through the plugin's DT_RUNPATH $ORIGIN/../olib. */
int edgeorigin_call(int x, int (*next)(int));

int edgeorigin_call(int x, int (*next)(int))
{
	return next(x + 7) + 1; /* libedgeorigin.c: calls next */
}
