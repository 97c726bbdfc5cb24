/*
 * The memory baseline of the floor program: a process that links only
 * libc and does nothing. Prints "maxrss_kb=R", its peak RSS.
 */
#include <stdio.h>
#include <sys/resource.h>

int
main(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 1;
	printf("maxrss_kb=%ld\n", ru.ru_maxrss);
	return 0;
}
