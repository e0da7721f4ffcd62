/* SPDX-License-Identifier: MIT */
/*
 * gen_viewer_trace - write a trace for the viewer's tests and benchmark:
 *   gen_viewer_trace fixed DIR
 *   gen_viewer_trace bulk DIR EVENTS [THREADS] [--loss] [--compact]
 *                               (--compact: 4-byte event headers, as mprof
 *                               record writes them; else 12-byte ones)
 *   gen_viewer_trace live DIR   the fixed trace in two steps: prints
 *                               "ready" after the first, then waits for a
 *                               line on stdin before the second
 * (viewer/test/gen_trace.h describes both).
 */
#include "gen_trace.h"

static void wait_line(void *arg)
{
	char line[64];

	(void)arg;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		CHECK_FAIL("live: stdin closed before the go-ahead");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "live")) {
		gen_fixed_live(argv[2], wait_line, NULL);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fixed")) {
		gen_fixed(argv[2]);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "bulk")) {
		unsigned long long n = strtoull(argv[3], NULL, 10);
		unsigned int threads = argc >= 5 && argv[4][0] != '-' ? (unsigned int)atoi(argv[4]) : 4;
		int loss = 0, compact = 0;

		for (int i = 4; i < argc; i++) {
			loss |= !strcmp(argv[i], "--loss");
			compact |= !strcmp(argv[i], "--compact");
		}
		if (!threads)
			threads = 1;
		printf("%llu\n", (unsigned long long)gen_bulk_headers(argv[2], n, threads, loss, 1, compact));
		return 0;
	}
	fprintf(stderr, "usage: gen_viewer_trace fixed DIR | live DIR | bulk DIR EVENTS [THREADS] [--loss] [--compact]\n");
	return 2;
}
