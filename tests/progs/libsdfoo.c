/* Shared library whose debug info is split out and found via .gnu_debuglink. */
int sdfoo_compute(int depth, void (*leaf)(int));

int sdfoo_compute(int depth, void (*leaf)(int))
{
	if (depth <= 0) {
		leaf(42); /* libsdfoo.c: calls the leaf */
		return 0;
	}
	return sdfoo_compute(depth - 1, leaf) + 1;
}
