/* SPDX-License-Identifier: MIT */
/*
 * viewer_tracef N - writes N LTTng-UST events with tracef() (no provider
 * of our own), for the viewer's foreign-trace test.
 */
#include <lttng/tracef.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;

	for (int i = 0; i < n; i++)
		tracef("viewer foreign event %d", i);
	return 0;
}
