/* dlopen("plugins/x.so"): link_map name plugins/x.so; needs libedgeorigin.so via $ORIGIN/../olib. */
int edgeorigin_call(int x, int (*next)(int));
int edgeplugin_entry(int x, int (*next)(int));

int edgeplugin_entry(int x, int (*next)(int))
{
	return edgeorigin_call(x + 5, next) + 1; /* plugin.c: calls libedgeorigin */
}
