/* Stand-in for libclrjit.so, and (built under other names) for the DAC and DBI. */
int getJit(void);

int getJit(void)
{
#if defined(DAC)
	return 1;
#elif defined(DBI)
	return 2;
#elif defined(CREATEDUMP)
	return 3;
#else
	return 7;
#endif
}
