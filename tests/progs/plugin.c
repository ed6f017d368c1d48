/* dlopen()ed plugin, stripped with its debug info in a build-id directory. */
int sdplugin_entry(int x, int (*next)(int));

int sdplugin_entry(int x, int (*next)(int))
{
	return next(x + 1) + 1; /* plugin.c: calls next */
}
